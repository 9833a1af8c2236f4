#pragma once
// SHA-256, the one implementation every module uses: tokens stored hashed, the audit chain,
// stored documents, archive packages.

#include <memory>
#include <string>
#include <string_view>

namespace avtaleflyt {

// A SHA-256 fed in pieces. Not shared between threads.
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    Sha256& update(std::string_view bytes);
    // The digest of everything fed, as 64 lower-case hex digits; the hash starts over.
    std::string hex();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// The SHA-256 of `bytes` as 64 lower-case hex digits.
std::string sha256Hex(std::string_view bytes);

}  // namespace avtaleflyt
