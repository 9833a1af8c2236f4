#pragma once
// An Env for tests that passes everything on to another (normally documents::defaultEnv()) and
// fails where the test says: the nth write, rename or folder creation from now on, optionally
// only of paths containing a given part, with the errno the test chooses (ENOSPC: a full disk,
// EIO: a failed flush). A fault fires once, before the call reaches the real Env, as a real
// failure of that call ends: nothing of it left, an EnvError with the system's reason.

#include <mutex>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Env.h"

namespace avtaleflyt::test {

class FaultyEnv final : public Env {
  public:
    enum class Op {
        Write,       // writeFileSynced: its write or its flush, which a caller cannot tell apart
        Rename,      // rename (matched by either path)
        MakeFolder,  // createDirectories
    };

    explicit FaultyEnv(Env& real) : real_(real) {}

    // The `nth` (1: the next) `op` from now on whose path contains `pathPart` fails with
    // `error`.
    void failNth(Op op, int nth, int error, const std::string& pathPart = "");
    // Drops the faults not fired yet.
    void heal();
    // How many faults have fired.
    int fired() const;

    std::string readFile(const std::string& path) override { return real_.readFile(path); }
    std::optional<std::uint64_t> fileSize(const std::string& path) override {
        return real_.fileSize(path);
    }
    void writeFileSynced(const std::string& path, const std::string& bytes,
                         unsigned mode = 0644) override;
    void rename(const std::string& from, const std::string& to) override;
    std::vector<std::string> list(const std::string& dir) override { return real_.list(dir); }
    void remove(const std::string& path) override { real_.remove(path); }
    void createDirectories(const std::string& dir) override;
    bool exists(const std::string& path) override { return real_.exists(path); }
    std::string randomBytes(std::size_t n) override { return real_.randomBytes(n); }

  private:
    struct Fault {
        Op op;
        int countdown;
        int error;
        std::string pathPart;
    };
    // Counts `op` on `path` (and `other`) against the faults; throws EnvError(path, what, error)
    // for one that fires.
    void check(Op op, const std::string& path, const std::string& what,
               const std::string& other = "");

    Env& real_;
    mutable std::mutex mutex_;
    std::vector<Fault> faults_;
    int fired_ = 0;
};

}  // namespace avtaleflyt::test
