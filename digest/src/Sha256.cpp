#include "avtaleflyt/digest/Sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt {
namespace {

// Fetched once: EVP_sha256() would look the implementation up again on every call.
const EVP_MD* sha256() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md)
        throw std::runtime_error("OpenSSL has no SHA-256");
    return md;
}

}  // namespace

struct Sha256::State {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
    if (!state_->ctx || EVP_DigestInit_ex(state_->ctx, sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not start a SHA-256");
}

Sha256::~Sha256() = default;

Sha256& Sha256::update(std::string_view bytes) {
    EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size());
    return *this;
}

std::string Sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(state_->ctx, digest, &size);
    EVP_DigestInit_ex(state_->ctx, sha256(), nullptr);
    return text::hex(digest, size);
}

std::string sha256Hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &size, sha256(), nullptr);
    return text::hex(digest, size);
}

}  // namespace avtaleflyt
