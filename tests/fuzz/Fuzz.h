#pragma once
// What the harnesses share. Each harness (one per target, LLVMFuzzerTestOneInput) hands the
// fuzzer's bytes to a reader of the product exactly as the product does, within the product's
// own bounds, and accepts only the errors the reader documents: anything else (another
// exception, a crash, a leak, a sanitizer's report, an input that takes too long or too much
// memory) is a finding.

#include <sanitizer/lsan_interface.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace avtaleflyt::fuzz {

inline std::string bytes(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// A promise of the reader that the input broke: reported like a crash.
inline void require(bool holds, const char* what) {
    if (!holds) {
        std::fprintf(stderr, "fuzz: broken promise: %s\n", what);
        std::abort();
    }
}

// Runs `f` with leak checking off: for what is set up once per process (libxml2 keeps parts
// of a compiled XML Schema unreachable, see tests/lsan.supp), so that LeakSanitizer reports
// only what an input leaks.
template <typename F>
void once(F&& f) {
    __lsan::ScopedDisabler disabled;
    f();
}

}  // namespace avtaleflyt::fuzz
