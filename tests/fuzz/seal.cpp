// verifySeal and SealVerifier::check (documents/Seal.h) on any bytes up to what the audit reads
// whole (64 MiB): both give the same answer (the verifier keeps what it has seen between inputs,
// as it does between the files of a package), and the verifier's SHA-256 of the whole file is
// the file's.
#include <openssl/sha.h>

#include "Fuzz.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/domain/Text.h"

using namespace avtaleflyt;

namespace {
constexpr std::size_t kMaxSealedSize = 64u << 20;  // archive/src/Audit.cpp
documents::SealVerifier* verifier = nullptr;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::once([] { verifier = new documents::SealVerifier(); });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > kMaxSealedSize)
        return -1;
    const std::string pdf = fuzz::bytes(data, size);
    const documents::SealCheck fresh = documents::verifySeal(pdf);
    std::string sha;
    const documents::SealCheck kept = verifier->check(pdf, &sha);
    fuzz::require(fresh.sealed == kept.sealed && fresh.valid == kept.valid &&
                      fresh.wholeDocument == kept.wholeDocument && fresh.signer == kept.signer &&
                      fresh.subFilter == kept.subFilter,
                  "verifySeal and SealVerifier::check agree");
    fuzz::require(fresh.valid == fresh.problem.empty() && (!fresh.valid || fresh.sealed),
                  "a seal that is not valid says why");
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(data, size, digest);
    fuzz::require(sha == text::hex(digest, sizeof digest), "the file's SHA-256");
    return 0;
}
