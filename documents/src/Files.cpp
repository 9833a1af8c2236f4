#include "avtaleflyt/documents/Files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace avtaleflyt::documents {

bool readFileInto(const std::string& path, std::string& bytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (ok) {
        bytes.resize(static_cast<std::size_t>(st.st_size));
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ok = done == bytes.size();
    }
    ::close(fd);
    return ok;
}

std::optional<std::string> tryReadFile(const std::string& path) {
    std::string bytes;
    if (!readFileInto(path, bytes)) return std::nullopt;
    return bytes;
}

std::string readFile(const std::string& path) {
    if (auto bytes = tryReadFile(path)) return std::move(*bytes);
    struct stat st {};
    throw FileError(path + (::stat(path.c_str(), &st) != 0 ? ": no such file" : ": cannot read the file"));
}

namespace {

// Writes all of `bytes` to `fd`; false if the writer stops short.
bool writeAll(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Writes into what is at `path` (a device, FIFO or the target of a symlink), or standard
// output for "-", without replacing it.
void writeInPlace(const std::string& path, const std::string& bytes) {
    if (path == "-") {
        std::cout.flush();  // what was printed before comes first
        if (!writeAll(STDOUT_FILENO, bytes))
            throw FileError("standard output: cannot write");
        return;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        throw FileError(path + ": cannot write the file");
    const bool ok = writeAll(fd, bytes);
    ::close(fd);
    if (!ok)
        throw FileError(path + ": cannot write the file");
}

}  // namespace

void writeFileSynced(const std::string& path, const std::string& bytes, unsigned mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) throw FileError(path + ": cannot write the file");
    const bool ok = writeAll(fd, bytes) && ::fchmod(fd, static_cast<mode_t>(mode)) == 0 && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw FileError(path + ": cannot write the file");
}

void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode) {
    struct stat st {};
    if (path == "-" || (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))) {
        if (path != "-" && S_ISDIR(st.st_mode))
            throw FileError(path + ": is a folder");
        writeInPlace(path, bytes);
        return;
    }
    // A fresh name (O_EXCL through mkstemp): never an existing file or link someone put there.
    std::string tmp = path + ".XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0)
        throw FileError(path + ": cannot write the file");
    const bool ok = writeAll(fd, bytes) && ::fchmod(fd, static_cast<mode_t>(mode)) == 0 &&
                    ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw FileError(path + ": cannot write the file");
    }
}

}  // namespace avtaleflyt::documents
