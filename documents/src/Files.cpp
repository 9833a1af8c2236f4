#include "avtaleflyt/documents/Files.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "avtaleflyt/documents/PosixEnv.h"

namespace avtaleflyt::documents {
namespace {

// Reads the regular file `path` into `bytes`; 0, or the errno of what failed.
int readInto(const std::string& path, std::string& bytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st {};
    int error = ::fstat(fd, &st) != 0   ? errno
                : S_ISDIR(st.st_mode)    ? EISDIR
                : !S_ISREG(st.st_mode)   ? EINVAL  // a device or FIFO: no whole file to read
                                         : 0;
    if (error == 0) {
        bytes.resize(static_cast<std::size_t>(st.st_size));
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                error = n < 0 ? errno : EIO;  // shorter than it said
                break;
            }
            done += static_cast<std::size_t>(n);
        }
    }
    ::close(fd);
    return error;
}

// Writes all of `bytes` to `fd`; 0, or the errno of the write that failed.
int writeAll(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

std::string parentOf(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// Flushes the folder `dir` (the names in it) to disk.
void syncFolder(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throw EnvError(dir, "cannot flush", errno);
    const int error = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    if (error != 0)
        throw EnvError(dir, "cannot flush", error);
}

// Writes into what is at `path` (a device, FIFO or the target of a symlink), or standard
// output for "-", without replacing it.
void writeInPlace(const std::string& path, const std::string& bytes) {
    if (path == "-") {
        std::cout.flush();  // what was printed before comes first
        if (const int error = writeAll(STDOUT_FILENO, bytes))
            throw EnvError("standard output", "cannot write", error);
        return;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        throw EnvError(path, "cannot write", errno);
    const int error = writeAll(fd, bytes);
    ::close(fd);
    if (error != 0)
        throw EnvError(path, "cannot write", error);
}

}  // namespace

std::string PosixEnv::readFile(const std::string& path) {
    std::string bytes;
    if (const int error = readInto(path, bytes))
        throw error == ENOENT ? EnvError(path + ": no such file") : EnvError(path, "cannot read", error);
    return bytes;
}

std::optional<std::uint64_t> PosixEnv::fileSize(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    return static_cast<std::uint64_t>(st.st_size);
}

void PosixEnv::writeFileSynced(const std::string& path, const std::string& bytes, unsigned mode) {
    struct stat st {};
    if (path == "-" || (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))) {
        if (path != "-" && S_ISDIR(st.st_mode))
            throw EnvError(path + ": is a folder");
        writeInPlace(path, bytes);
        return;
    }
    // A fresh name (O_EXCL through mkstemp): never an existing file or link someone put there.
    std::string tmp = path + ".XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0)
        throw EnvError(path, "cannot write", errno);
    int error = writeAll(fd, bytes);
    if (error == 0 && ::fchmod(fd, static_cast<mode_t>(mode)) != 0)
        error = errno;
    if (error == 0 && ::fsync(fd) != 0)
        error = errno;
    ::close(fd);
    if (error == 0 && std::rename(tmp.c_str(), path.c_str()) != 0)
        error = errno;
    if (error != 0) {
        std::remove(tmp.c_str());
        throw EnvError(path, "cannot write", error);
    }
    syncFolder(parentOf(path));
}

void PosixEnv::rename(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0)
        throw EnvError(from, "cannot rename to " + to, errno);
    syncFolder(parentOf(to));
    if (parentOf(from) != parentOf(to))
        syncFolder(parentOf(from));
}

std::vector<std::string> PosixEnv::list(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d)
        throw EnvError(dir, "cannot list", errno);
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..")
            names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

void PosixEnv::remove(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return;
        throw EnvError(path, "cannot remove", errno);
    }
    if (S_ISDIR(st.st_mode)) {
        for (const auto& name : list(path)) remove(path + "/" + name);
        if (::rmdir(path.c_str()) != 0)
            throw EnvError(path, "cannot remove", errno);
    } else if (::unlink(path.c_str()) != 0) {
        throw EnvError(path, "cannot remove", errno);
    }
}

void PosixEnv::createDirectories(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            throw EnvError(dir, "cannot create the folder", ENOTDIR);
        return;
    }
    const std::string parent = parentOf(dir);
    if (parent != dir)
        createDirectories(parent);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        throw EnvError(dir, "cannot create the folder", errno);
    syncFolder(parent);
}

bool PosixEnv::exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::string PosixEnv::randomBytes(std::size_t n) {
    std::string bytes(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1)
        throw EnvError("no random numbers available");
    return bytes;
}

Env& defaultEnv() {
    static PosixEnv env;
    return env;
}

std::string readFile(const std::string& path) {
    return defaultEnv().readFile(path);
}

bool readFileInto(const std::string& path, std::string& bytes) {
    return readInto(path, bytes) == 0;
}

std::optional<std::string> tryReadFile(const std::string& path) {
    std::string bytes;
    if (!readFileInto(path, bytes))
        return std::nullopt;
    return bytes;
}

void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode) {
    defaultEnv().writeFileSynced(path, bytes, mode);
}

}  // namespace avtaleflyt::documents
