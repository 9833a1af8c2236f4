#pragma once
// Reading entries of a zip archive held in memory (an .xlsx workbook), with bounded memory
// whatever the archive holds: the central directory is walked, never stored, and an entry is
// inflated in chunks handed to the caller, never whole.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace avtaleflyt::documents {

// What is wrong with the archive or one of its entries, in words for the user (no file name).
class ZipError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class ZipReader {
  public:
    // An entry as the central directory describes it (its stated unpacked size is not
    // trusted, so not kept).
    struct Entry {
        std::uint16_t flags = 0;
        std::uint16_t method = 0;  // 0 stored, 8 deflated
        std::uint32_t crc = 0;
        std::uint32_t compressedSize = 0;
        std::uint32_t localHeader = 0;
    };

    // `bytes` must outlive the reader. Throws ZipError if there is no readable central
    // directory (not a zip, a multi-part or ZIP64 archive).
    explicit ZipReader(std::string_view bytes);

    // The first entry called `name` (exactly), if there is one.
    std::optional<Entry> find(std::string_view name) const;

    // Hands the entry's content to `sink` in chunks of at most 64 KiB, in order. Throws
    // ZipError when more than `limit` bytes come out (checked while inflating, before a chunk
    // beyond it is handed on), when the data is damaged or its CRC does not match, or for an
    // encrypted entry or an unknown method. What `sink` throws passes through.
    void read(const Entry& entry, std::size_t limit,
              const std::function<void(const char*, std::size_t)>& sink) const;

  private:
    std::string_view bytes_;
    std::size_t directory_ = 0;     // offset of the central directory
    std::size_t directoryEnd_ = 0;  // where it ends
};

}  // namespace avtaleflyt::documents
