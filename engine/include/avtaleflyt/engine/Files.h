#pragma once
// Whole files read and written the one way the project does it (documents/Files.h), and CSV as
// Excel in Norway opens it: for the apps' --out files, exports and uploads.

#include <string>
#include <vector>

namespace avtaleflyt::engine {

// The bytes of `path`. Throws std::runtime_error "PATH: no such file" or "PATH: cannot read the
// file".
std::string readFile(const std::string& path);
// Writes `bytes` to a fresh temporary file beside `path`, flushed, then renamed to `path`, so a
// reader sees the old file or the new one, never half of one. A device, FIFO or symlink at
// `path` is written directly; `-` is standard output. Throws std::runtime_error "PATH: cannot
// write the file", leaving no temporary file behind.
void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode = 0644);

// CSV for Excel in Norway: UTF-8 with BOM, ';' between fields, CRLF, quotes where needed.
std::string formatCsv(const std::vector<std::vector<std::string>>& rows);

}  // namespace avtaleflyt::engine
