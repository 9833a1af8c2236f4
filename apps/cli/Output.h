#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace avtaleflyt::cli {

// A plain text table: a header line, a rule, the rows; columns padded to their widest cell.
void printTable(std::ostream& out, const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);

}  // namespace avtaleflyt::cli
