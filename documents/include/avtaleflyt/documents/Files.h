#pragma once
// Reading and writing whole files through the real Env (PosixEnv.h), for code that has no other
// Env: writes go through a temporary file that is flushed to disk and renamed into place, so a
// file is never half written.

#include <optional>
#include <string>

#include "avtaleflyt/domain/Env.h"

namespace avtaleflyt::documents {

// "PATH: no such file", "PATH: cannot read: REASON", "PATH: cannot write: REASON".
using FileError = EnvError;

// The bytes of `path`. Throws FileError.
std::string readFile(const std::string& path);
// The bytes of `path`, or nothing if it cannot be read.
std::optional<std::string> tryReadFile(const std::string& path);
// Reads the regular file `path` into `bytes`, reusing its capacity (for reading many files);
// false if it cannot be read.
bool readFileInto(const std::string& path, std::string& bytes);

// Env::writeFileSynced: replaces `path` whole (devices, FIFOs, symlinks and "-" written in
// place). Throws FileError, leaving no temporary file behind.
void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode = 0644);

}  // namespace avtaleflyt::documents
