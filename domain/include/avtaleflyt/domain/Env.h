#pragma once
// The engine's one way to the file system and to random numbers (the leveldb idea): the real
// Env is documents::defaultEnv() (POSIX files, OpenSSL's random numbers); tests put in one that
// fails where they say (tests/support/FaultyEnv.h). Time is the other seam: Clock (Clock.h).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace avtaleflyt {

// What an Env could not do, naming the path and the system's reason:
// "DIR/x.pdf: cannot write: No space left on device".
class EnvError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
    // "PATH: WHAT: strerror(error)"
    EnvError(const std::string& path, const std::string& what, int error);
};

// Every method may be called from several threads at once. All throw EnvError.
class Env {
  public:
    virtual ~Env() = default;

    // The bytes of the regular file `path` ("PATH: no such file" if there is none).
    virtual std::string readFile(const std::string& path) = 0;
    // The size of the regular file at `path`; nothing if there is none (or not a regular file).
    virtual std::optional<std::uint64_t> fileSize(const std::string& path) = 0;
    // Writes `bytes` to a fresh temporary file beside `path`, flushes it to disk, renames it to
    // `path` and flushes the folder: a reader sees the old file or the new one, never half of
    // one, and a failure leaves the old file and no temporary one. Only a regular file (or
    // nothing) is replaced that way: a device, FIFO or symlink at `path` (/dev/null, a pipe, a
    // link into another folder) is written directly and stays what it is, and "-" is standard
    // output. A folder at `path` is refused ("PATH: is a folder").
    virtual void writeFileSynced(const std::string& path, const std::string& bytes,
                                 unsigned mode = 0644) = 0;
    // Renames the file or folder `from` to `to` (replacing a file there) and flushes the
    // folders holding them.
    virtual void rename(const std::string& from, const std::string& to) = 0;
    // The names in the folder `dir`, sorted, without "." and "..".
    virtual std::vector<std::string> list(const std::string& dir) = 0;
    // Removes the file, or the folder with all in it, at `path`; nothing there is no error.
    virtual void remove(const std::string& path) = 0;
    // Creates the folder `dir` and those above it where missing, each flushed into its parent.
    virtual void createDirectories(const std::string& dir) = 0;
    virtual bool exists(const std::string& path) = 0;
    // `n` bytes from a cryptographically secure generator.
    virtual std::string randomBytes(std::size_t n) = 0;
};

}  // namespace avtaleflyt
