#pragma once
// Reading and writing whole files, the one way the project does it: writes go through a
// temporary file that is flushed to disk and renamed into place, so a file is never half written.

#include <optional>
#include <stdexcept>
#include <string>

namespace avtaleflyt::documents {

// "PATH: no such file", "PATH: cannot read the file", "PATH: cannot write the file".
class FileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The bytes of `path`. Throws FileError.
std::string readFile(const std::string& path);
// The bytes of `path`, or nothing if it cannot be read.
std::optional<std::string> tryReadFile(const std::string& path);
// Reads the regular file `path` into `bytes`, reusing its capacity (for reading many files);
// false if it cannot be read.
bool readFileInto(const std::string& path, std::string& bytes);

// Writes `bytes` to `path` and flushes them to disk (no rename). Throws FileError.
void writeFileSynced(const std::string& path, const std::string& bytes, unsigned mode = 0644);
// Writes `bytes` to a fresh temporary file beside `path`, flushed, then renames it to `path`, so
// a reader sees the old file or the new one, never half of one. Only a regular file (or nothing)
// is replaced that way: a device, FIFO or symlink at `path` (/dev/null, a pipe, a link into
// another folder) is written directly and stays what it is, and `-` is standard output.
// Throws FileError, leaving no temporary file behind.
void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode = 0644);

}  // namespace avtaleflyt::documents
