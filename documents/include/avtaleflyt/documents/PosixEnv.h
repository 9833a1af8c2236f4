#pragma once
// The real Env (domain/Env.h): POSIX files, OpenSSL's random numbers.

#include "avtaleflyt/domain/Env.h"

namespace avtaleflyt::documents {

class PosixEnv final : public Env {
  public:
    std::string readFile(const std::string& path) override;
    std::optional<std::uint64_t> fileSize(const std::string& path) override;
    void writeFileSynced(const std::string& path, const std::string& bytes,
                         unsigned mode = 0644) override;
    void rename(const std::string& from, const std::string& to) override;
    std::vector<std::string> list(const std::string& dir) override;
    void remove(const std::string& path) override;
    void createDirectories(const std::string& dir) override;
    bool exists(const std::string& path) override;
    std::string randomBytes(std::size_t n) override;
};

// The process's PosixEnv.
Env& defaultEnv();

}  // namespace avtaleflyt::documents
