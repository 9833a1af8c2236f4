#include "TableBuilder.h"

#include <algorithm>

#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::documents {
namespace {

bool blank(const std::string& s) {
    return text::trim(s).empty();
}

std::string mib(std::size_t bytes) {
    return std::to_string(bytes / (1024 * 1024)) + " MiB";
}

}  // namespace

TableBuilder::TableBuilder(std::string source, std::function<std::string()> where)
    : where_(std::move(where)) {
    table_.source = std::move(source);
}

void TableBuilder::fail(const std::string& cause) const {
    throw TableFileError(where_() + ": " + cause);
}

void TableBuilder::startRow(int line) {
    row_ = TableRow{line, {}};
    rowOpen_ = true;
}

void TableBuilder::checkLength(std::size_t bytes) const {
    if (bytes > kMaxCellBytes)
        fail("a cell holds more than " + std::to_string(kMaxCellBytes / 1024) +
             " KiB of text (Excel allows 32,767 characters)");
}

void TableBuilder::append(std::string& text, std::string_view more) const {
    checkLength(text.size() + more.size());
    text.append(more);
}

void TableBuilder::cell(std::size_t column, std::string text) {
    checkLength(text.size());
    if (text.size() > 1 && text.front() == '\'' && looksLikeFormula(std::string_view(text).substr(1)))
        text.erase(0, 1);  // the mark formatCsv puts before what a spreadsheet takes for a formula
    if (width_ ? column >= width_ : column >= kMaxColumns) {
        if (!width_ && !text.empty() && !blank(text))
            fail("text beyond column " + std::to_string(kMaxColumns) +
                 " (a name list has at most " + std::to_string(kMaxColumns) + " columns)");
        return;
    }
    if (row_.cells.size() <= column)
        row_.cells.resize(column + 1);
    row_.cells[column] = std::move(text);
}

void TableBuilder::endRow() {
    if (!rowOpen_)
        return;
    rowOpen_ = false;
    auto& cells = row_.cells;
    const auto last =
        std::find_if(cells.rbegin(), cells.rend(), [](const std::string& c) { return !blank(c); });
    if (last == cells.rend())
        return;  // an empty row
    if (!width_) {
        width_ = static_cast<std::size_t>(cells.rend() - last);
        cells.resize(width_);
    }
    std::size_t bytes = sizeof(TableRow) + cells.size() * sizeof(std::string);
    for (const auto& c : cells) bytes += c.size();
    charge(bytes);
    table_.rows.push_back(std::move(row_));
}

void TableBuilder::charge(std::size_t bytes) {
    charged_ += bytes;
    if (charged_ > kMaxTableBytes)
        fail("the file holds more than " + mib(kMaxTableBytes) +
             " of cells and text, more than a name list of 25,000 nurses; the import reads "
             "none of it");
}

Table TableBuilder::finish() {
    endRow();
    return std::move(table_);
}

}  // namespace avtaleflyt::documents
