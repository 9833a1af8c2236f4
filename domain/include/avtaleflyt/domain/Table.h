#pragma once
// A table as read from a spreadsheet or CSV file, before anything is interpreted, and the
// problems found in such input.

#include <string>
#include <vector>

namespace avtaleflyt {

struct TableRow {
    int line = 0;  // where the row starts in its file: the CSV line or the spreadsheet row, from 1
    std::vector<std::string> cells;  // UTF-8; trailing empty cells may be missing
};

struct Table {
    std::string source;  // the file name, as the user gave it
    std::vector<TableRow> rows;
};

// One thing wrong with a piece of input, reported as "SOURCE:LINE: FIELD: CAUSE".
struct InputProblem {
    std::string source;
    int line = 0;
    std::string field;
    std::string cause;

    std::string toString() const {
        return source + ":" + std::to_string(line) + ": " + field + ": " + cause;
    }
};

}  // namespace avtaleflyt
