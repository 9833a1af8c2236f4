#pragma once
// Reading tables from the files people keep (CSV, .xlsx) and writing CSV that Excel opens.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "avtaleflyt/documents/PosixEnv.h"

#include "avtaleflyt/domain/Table.h"

namespace avtaleflyt::documents {

// A file that cannot be read as a table at all. The message starts with the file name
// (and the line, where there is one) and says why.
class TableFileError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// What reading a table may take, whatever the file holds (hostile files included); each is a
// TableFileError naming the file and where in it. Together they bound an import's memory: the
// file's bytes, the table (kMaxTableBytes) and the XML parser's buffers.
// Largest table file read, in bytes.
constexpr std::size_t kMaxTableFileBytes = 20 * 1024 * 1024;
// Text of one cell, in bytes (Excel allows 32,767 characters, at most this much UTF-8).
constexpr std::size_t kMaxCellBytes = 128 * 1024;
// The table as held: the bytes of its text plus 32 for each cell and row (and for a workbook's
// shared strings), about what a name list of 27,000 nurses takes: the import of the largest
// list it lets through peaks under 100 MB (the table, the roster read from it and the stored
// one, and their changes; scripts/bench-import.sh). A network is some 250 nurses.
constexpr std::size_t kMaxTableBytes = 16 * 1024 * 1024;
// Columns: the first non-empty row (the header) must end within them; cells of later rows
// right of the header's last heading are not kept (no column is named there).
constexpr std::size_t kMaxColumns = 256;
// A part of an .xlsx workbook (a sheet, the shared strings), unpacked; checked while
// unpacking. Parts are parsed as they unpack, never held whole.
constexpr std::size_t kMaxXlsxPartBytes = 64 * 1024 * 1024;

// Reads `path` by its extension: ".xlsx" as a workbook (the first sheet), anything else as CSV.
// The Table's source is `path` as given. Read through `env`.
Table readTableFile(const std::string& path, Env& env = defaultEnv());

// A table's rows are the file's non-empty rows (a cell other than spaces), with their lines;
// cells right of the header's last heading are left out.

// CSV as Excel writes it: ';' or ',' or tab (detected from the header line, or an Excel
// "sep=;" line), quoted fields with "" for a quote, CRLF or LF, line breaks inside quotes,
// UTF-8 with or without BOM, or Windows-1252 (detected: bytes that are not UTF-8). A file that
// is UTF-8 (a BOM, or more well-formed UTF-8 letters than stray bytes) with a byte that is not
// is refused, naming the line and column of the first.
Table parseCsv(const std::string& bytes, const std::string& source);

// The first worksheet of an .xlsx workbook: shared strings, inline strings, numbers, booleans.
// Rows keep their spreadsheet numbers as lines; cells their columns. A part with a DTD
// (<!DOCTYPE>, which Excel never writes) is refused, and so is a malformed row number or cell
// (naming the sheet and cell).
Table parseXlsx(const std::string& bytes, const std::string& source);

// CSV for Excel in Norway: UTF-8 with BOM, ';' between fields, CRLF, quotes where needed.
// A field a spreadsheet would take for a formula (it begins with = + - @, a tab or a CR: a
// name such as "=HYPERLINK(...)") is written with a leading ' so that it is shown as text;
// the readers take that ' away again, so a list written here imports unchanged.
std::string formatCsv(const std::vector<std::vector<std::string>>& rows);

// Whether a spreadsheet would read `field` as a formula (see formatCsv).
bool looksLikeFormula(std::string_view field);

}  // namespace avtaleflyt::documents
