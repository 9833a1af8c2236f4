#pragma once
// The readers of a package's own files that the audit (auditPackage, Package.h) uses: the
// manifest, arkivstruktur.xml and the ADDML (arkivuttrekk.xml). They read bytes anyone may have
// edited: no input makes them throw, crash, or take more than time and memory linear in its
// size (the XML is read as a stream, never a tree). A finding says where (file and line) and
// what. The fuzz harness tests/fuzz/package_reader.cpp calls them as the audit does.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "avtaleflyt/archive/Package.h"

namespace avtaleflyt::archive {

using Digest = std::array<unsigned char, 32>;

// The binary form of a hex SHA-256; nothing if `hex` is not one.
std::optional<Digest> parseDigest(const std::string& hex);

// Everything known of one file name, from the folder, the manifest and arkivstruktur.xml
// (~150 bytes with its name: a package of 100,000 files is kept in some 15 MB).
struct PackageEntry {
    Digest manifestSha{};    // valid if inManifest and manifestShaValid
    Digest sjekksum{};       // valid if sjekksumValid
    std::uint64_t size = 0;  // the filstoerrelse
    std::uint32_t xmlLine = 0;
    std::uint32_t references = 0;  // document objects naming the file
    bool present = false, inManifest = false, manifestShaValid = false, sjekksumValid = false,
         sizeValid = false, main = true;
    const char* irregular = nullptr;  // what it is when it is neither a file nor a folder
};
using PackageEntries = std::unordered_map<std::string, PackageEntry>;

// Reads a sha256sum manifest (`manifest`, the bytes of manifest.sha256): each line's digest into
// its file's entry. Findings: a line that is not "HEX64  NAME", a file listed twice, a file
// listed that is not present.
void readManifest(const std::string& manifest, PackageEntries& entries,
                  std::vector<Finding>& findings);

// Reads arkivstruktur.xml, the file at `path`, as a stream: every document object into its file's
// entry (references, line, sjekksum, filstoerrelse, whether it is a main document); findings for
// each systemID used twice. False, with no findings, if it is not well-formed XML.
bool readArkivstrukturFile(const std::string& path, PackageEntries& entries,
                           std::vector<Finding>& findings);
// The same from the bytes of the file.
bool readArkivstrukturBytes(const std::string& xml, PackageEntries& entries,
                            std::vector<Finding>& findings);

// Checks the ADDML (`addml`, the bytes of arkivuttrekk.xml) against arkivstruktur.xml as read:
// its antallDokumentfiler against `documentObjects`, its checksum of arkivstruktur.xml against
// `arkivstrukturSha` (hex).
void checkAddml(const std::string& addml, std::size_t documentObjects,
                const std::string& arkivstrukturSha, std::vector<Finding>& findings);

}  // namespace avtaleflyt::archive
