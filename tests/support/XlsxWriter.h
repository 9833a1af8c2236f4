#pragma once
// Writes small .xlsx workbooks the way Excel does (shared strings for text, numbers as <v>,
// empty cells left out, cell references on every cell), for the import tests.

#include <string>
#include <vector>

namespace avtaleflyt::test {

struct XlsxOptions {
    bool inlineStrings = false;         // <c t="inlineStr"> instead of shared strings
    bool numericPhones = false;         // cells that are all digits become numbers
    bool richTextFirstCell = false;     // the first shared string split in two formatted runs
    bool extraSheetFirstInZip = false;  // a second sheet stored before the first in the zip
};

// Returns the bytes of a workbook whose first sheet holds `rows` (row 1 first).
std::string makeXlsx(const std::vector<std::vector<std::string>>& rows,
                     const XlsxOptions& options = {});

}  // namespace avtaleflyt::test
