#pragma once
// The table readers' harnesses (csv.cpp, xlsx.cpp): any bytes up to kMaxTableFileBytes, as
// readTableFile reads a file, give a table whose cells are UTF-8 within the limits of
// TableFile.h, or a TableFileError.

#include "Fuzz.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::fuzz {

inline int readTable(Table (*parse)(const std::string&, const std::string&), const char* source,
                     const std::uint8_t* data, std::size_t size) {
    if (size > documents::kMaxTableFileBytes)
        return -1;  // readTableFile refuses the file unread
    try {
        const Table table = parse(bytes(data, size), source);
        for (const auto& row : table.rows) {
            require(row.cells.size() <= documents::kMaxColumns, "at most kMaxColumns cells");
            for (const auto& cell : row.cells) {
                require(cell.size() <= documents::kMaxCellBytes, "a cell within kMaxCellBytes");
                require(text::isValidUtf8(cell), "every cell UTF-8");
            }
        }
    } catch (const documents::TableFileError&) {
    }
    return 0;
}

}  // namespace avtaleflyt::fuzz
