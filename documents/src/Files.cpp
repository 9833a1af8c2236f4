#include "avtaleflyt/documents/Files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

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

void writeFileSynced(const std::string& path, const std::string& bytes, unsigned mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) throw FileError(path + ": cannot write the file");
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    const bool ok = done == bytes.size() && ::fchmod(fd, static_cast<mode_t>(mode)) == 0 && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw FileError(path + ": cannot write the file");
}

void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode) {
    const std::string tmp = path + ".tmp";
    try {
        writeFileSynced(tmp, bytes, mode);
    } catch (const FileError&) {
        std::remove(tmp.c_str());
        throw FileError(path + ": cannot write the file");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw FileError(path + ": cannot write the file");
    }
}

}  // namespace avtaleflyt::documents
