#pragma once
// Reading tables from the files people keep (CSV, .xlsx) and writing CSV that Excel opens.

#include <stdexcept>
#include <string>

#include "avtaleflyt/documents/PosixEnv.h"
#include <vector>

#include "avtaleflyt/domain/Table.h"

namespace avtaleflyt::documents {

// A file that cannot be read as a table at all. The message starts with the file name
// (and the line, where there is one) and says why.
class TableFileError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Largest table file read, in bytes; larger files are refused with a TableFileError.
constexpr std::size_t kMaxTableFileBytes = 20 * 1024 * 1024;

// Reads `path` by its extension: ".xlsx" as a workbook (the first sheet), anything else as CSV.
// The Table's source is `path` as given. Read through `env`.
Table readTableFile(const std::string& path, Env& env = defaultEnv());

// CSV as Excel writes it: ';' or ',' or tab (detected from the header line, or an Excel
// "sep=;" line), quoted fields with "" for a quote, CRLF or LF, line breaks inside quotes,
// UTF-8 with or without BOM, or Windows-1252 (detected: bytes that are not UTF-8).
Table parseCsv(const std::string& bytes, const std::string& source);

// The first worksheet of an .xlsx workbook: shared strings, inline strings, numbers, booleans.
// Rows keep their spreadsheet numbers as lines; cells their columns.
Table parseXlsx(const std::string& bytes, const std::string& source);

// CSV for Excel in Norway: UTF-8 with BOM, ';' between fields, CRLF, quotes where needed.
std::string formatCsv(const std::vector<std::vector<std::string>>& rows);

}  // namespace avtaleflyt::documents
