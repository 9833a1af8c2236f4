#include "FaultyEnv.h"

namespace avtaleflyt::test {

void FaultyEnv::failNth(Op op, int nth, int error, const std::string& pathPart) {
    const std::lock_guard<std::mutex> lock(mutex_);
    faults_.push_back({op, nth, error, pathPart});
}

void FaultyEnv::heal() {
    const std::lock_guard<std::mutex> lock(mutex_);
    faults_.clear();
}

int FaultyEnv::fired() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return fired_;
}

void FaultyEnv::check(Op op, const std::string& path, const std::string& what,
                      const std::string& other) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto matches = [&](const Fault& fault) {
        return fault.op == op && (path.find(fault.pathPart) != std::string::npos ||
                                  (!other.empty() && other.find(fault.pathPart) != std::string::npos));
    };
    // Every matching fault counts the call; the first one due fires.
    auto due = faults_.end();
    for (auto it = faults_.begin(); it != faults_.end(); ++it)
        if (matches(*it) && --it->countdown <= 0 && due == faults_.end())
            due = it;
    if (due == faults_.end())
        return;
    const int error = due->error;
    faults_.erase(due);
    ++fired_;
    throw EnvError(path, what, error);
}

void FaultyEnv::writeFileSynced(const std::string& path, const std::string& bytes, unsigned mode) {
    check(Op::Write, path, "cannot write");
    real_.writeFileSynced(path, bytes, mode);
}

void FaultyEnv::rename(const std::string& from, const std::string& to) {
    check(Op::Rename, from, "cannot rename to " + to, to);
    real_.rename(from, to);
}

void FaultyEnv::createDirectories(const std::string& dir) {
    check(Op::MakeFolder, dir, "cannot create the folder");
    real_.createDirectories(dir);
}

}  // namespace avtaleflyt::test
