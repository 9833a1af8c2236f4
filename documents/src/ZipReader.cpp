#include "ZipReader.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <memory>

namespace avtaleflyt::documents {
namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kDirectoryEntry = 0x02014b50;
constexpr std::uint32_t kDirectoryEnd = 0x06054b50;
constexpr std::size_t kDirectoryEndSize = 22;
constexpr std::size_t kDirectoryEntrySize = 46;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kChunk = 64 * 1024;

std::uint32_t le(std::string_view b, std::size_t at, int bytes) {
    std::uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
    return v;
}
std::uint16_t le16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>(le(b, at, 2));
}
std::uint32_t le32(std::string_view b, std::size_t at) {
    return le(b, at, 4);
}

std::string mib(std::size_t bytes) {
    return bytes % (1024 * 1024) == 0 ? std::to_string(bytes / (1024 * 1024)) + " MiB"
                                      : std::to_string(bytes) + " bytes";
}

}  // namespace

ZipReader::ZipReader(std::string_view bytes) : bytes_(bytes) {
    // The end record is the last 22 bytes, or further back by a comment of up to 64 KiB.
    if (bytes.size() < kDirectoryEndSize)
        throw ZipError("not a zip archive");
    const std::size_t lowest =
        bytes.size() > kDirectoryEndSize + 0xFFFF ? bytes.size() - kDirectoryEndSize - 0xFFFF : 0;
    std::optional<std::size_t> end;
    for (std::size_t at = bytes.size() - kDirectoryEndSize + 1; at-- > lowest;) {
        if (le32(bytes, at) == kDirectoryEnd) {
            end = at;
            break;
        }
    }
    if (!end)
        throw ZipError("not a zip archive (no central directory)");
    const std::uint32_t size = le32(bytes, *end + 12);
    const std::uint32_t offset = le32(bytes, *end + 16);
    if (le16(bytes, *end + 4) != 0 || le16(bytes, *end + 6) != 0)
        throw ZipError("a zip archive in several parts");
    if (size == 0xFFFFFFFF || offset == 0xFFFFFFFF)
        throw ZipError("a ZIP64 archive, which a workbook of this size never needs");
    if (offset > *end || size > *end - offset)
        throw ZipError("a damaged zip archive (the central directory is out of bounds)");
    directory_ = offset;
    directoryEnd_ = offset + size;
}

std::optional<ZipReader::Entry> ZipReader::find(std::string_view name) const {
    std::size_t at = directory_;
    while (at + kDirectoryEntrySize <= directoryEnd_ && le32(bytes_, at) == kDirectoryEntry) {
        const std::size_t nameLength = le16(bytes_, at + 28);
        const std::size_t next =
            at + kDirectoryEntrySize + nameLength + le16(bytes_, at + 30) + le16(bytes_, at + 32);
        if (next > directoryEnd_)
            break;
        if (bytes_.substr(at + kDirectoryEntrySize, nameLength) == name) {
            Entry e;
            e.flags = le16(bytes_, at + 8);
            e.method = le16(bytes_, at + 10);
            e.crc = le32(bytes_, at + 16);
            e.compressedSize = le32(bytes_, at + 20);
            e.localHeader = le32(bytes_, at + 42);
            return e;
        }
        at = next;
    }
    return std::nullopt;
}

void ZipReader::read(const Entry& e, std::size_t limit,
                     const std::function<void(const char*, std::size_t)>& sink) const {
    if (e.flags & 1)
        throw ZipError("is encrypted");
    if (e.method != 0 && e.method != 8)
        throw ZipError("is compressed with method " + std::to_string(e.method) +
                       ", which is not read (only stored and deflated entries are)");
    const std::size_t local = e.localHeader;
    if (local + kLocalHeaderSize > bytes_.size() || le32(bytes_, local) != kLocalHeader)
        throw ZipError("is damaged (no local header where the directory says)");
    const std::size_t data =
        local + kLocalHeaderSize + le16(bytes_, local + 26) + le16(bytes_, local + 28);
    if (data > bytes_.size() || e.compressedSize > bytes_.size() - data)
        throw ZipError("is damaged (its data runs past the end of the file)");
    const std::string_view in = bytes_.substr(data, e.compressedSize);

    std::size_t total = 0;
    uLong crc = crc32(0, nullptr, 0);
    const auto deliver = [&](const char* p, std::size_t n) {
        if (n > limit - total)
            throw ZipError("unpacks to more than " + mib(limit));
        total += n;
        crc = crc32(crc, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n));
        sink(p, n);
    };

    if (e.method == 0) {
        for (std::size_t at = 0; at < in.size(); at += kChunk)
            deliver(in.data() + at, std::min(kChunk, in.size() - at));
    } else {
        z_stream z{};
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
            throw ZipError("cannot be unpacked (zlib: " + std::string(z.msg ? z.msg : "init") +
                           ")");
        const std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&z, &inflateEnd);
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z.avail_in = static_cast<uInt>(in.size());
        std::array<char, kChunk> out;
        for (;;) {
            z.next_out = reinterpret_cast<Bytef*>(out.data());
            z.avail_out = static_cast<uInt>(out.size());
            const int rc = inflate(&z, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END)
                throw ZipError("is damaged (" +
                               std::string(rc == Z_BUF_ERROR ? "its data ends too early"
                                                             : (z.msg ? z.msg : "bad data")) +
                               ")");
            deliver(out.data(), out.size() - z.avail_out);
            if (rc == Z_STREAM_END)
                break;
        }
    }
    if (crc != e.crc)
        throw ZipError("is damaged (its checksum does not match)");
}

}  // namespace avtaleflyt::documents
