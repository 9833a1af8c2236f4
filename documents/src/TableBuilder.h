#pragma once
// The one place where the table readers (CSV, .xlsx) put cells into a Table, and where the
// limits of TableFile.h on cells, columns and the table's size are kept.

#include <functional>
#include <string>
#include <string_view>

#include "avtaleflyt/domain/Table.h"

namespace avtaleflyt::documents {

class TableBuilder {
  public:
    // `where` names the place the reader has reached, for errors: "liste.csv:7" or
    // "liste.xlsx: sheet "Navneliste", cell B7". Errors are TableFileErrors "WHERE: CAUSE".
    TableBuilder(std::string source, std::function<std::string()> where);

    // Starts a row at `line` (a previous row not ended is dropped).
    void startRow(int line);
    // The text of column `column` (from 0) of the current row; a second text for the same
    // column replaces the first. Throws if the text is longer than kMaxCellBytes, or if there
    // is text beyond kMaxColumns before the header; dropped right of the header's width.
    void cell(std::size_t column, std::string text);
    // Ends the current row: kept if any cell is more than spaces; the first kept row is the
    // header, and its last cell that is sets the width. Throws beyond kMaxTableBytes.
    void endRow();
    // The table, once every row has ended.
    Table finish();

    // Appends `more` to the text of a cell being read, throwing as soon as it passes
    // kMaxCellBytes (so that no longer text is ever held).
    void append(std::string& text, std::string_view more) const;
    // Counts `bytes` against kMaxTableBytes: what a reader keeps for the table beside it (an
    // .xlsx's shared strings).
    void charge(std::size_t bytes);

    [[noreturn]] void fail(const std::string& cause) const;

  private:
    void checkLength(std::size_t bytes) const;

    Table table_;
    std::function<std::string()> where_;
    bool rowOpen_ = false;
    TableRow row_;
    std::size_t width_ = 0;  // 0 until the header is read
    std::size_t charged_ = 0;
};

}  // namespace avtaleflyt::documents
