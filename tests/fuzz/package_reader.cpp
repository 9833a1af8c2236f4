// The readers of a package's own files (archive/PackageReader.h) on any bytes, in memory, as
// auditPackage calls them: the input's first byte picks the reader (0 the manifest, 1
// arkivstruktur.xml, 2 the ADDML), the rest is the file. The entries start as the audit's do
// for the package the archive harness uses (its five files present). The promises checked:
// nothing thrown, every finding says where and what, each manifest line is either taken or
// reported once, a file that is not well-formed XML adds no finding of its own.
#include "Fuzz.h"
#include "Package.h"
#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/archive/PackageReader.h"
#include "avtaleflyt/documents/Files.h"

#include <algorithm>

using namespace avtaleflyt;

namespace {

std::string arkivstrukturSha;  // the seed arkivstruktur.xml's, which the seed ADDML names

archive::PackageEntries presentFiles() {
    archive::PackageEntries entries;
    for (const auto& file : fuzz::packageFiles()) entries[file].present = true;
    return entries;
}

void requireWhereAndWhat(const std::vector<archive::Finding>& findings) {
    for (const auto& f : findings)
        fuzz::require(!f.where.empty() && !f.what.empty(), "a finding says where and what");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const auto seed = documents::tryReadFile(AVTALEFLYT_FUZZ_SEEDS "/package_reader/1-arkivstruktur.xml");
    if (seed && !seed->empty())
        arkivstrukturSha = sha256Hex(seed->substr(1));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return -1;
    const std::string file = fuzz::bytes(data + 1, size - 1);
    archive::PackageEntries entries = presentFiles();
    std::vector<archive::Finding> findings;
    switch (data[0] % 3) {
    case 0: {
        archive::readManifest(file, entries, findings);
        const auto lines = static_cast<std::size_t>(std::count(file.begin(), file.end(), '\n')) +
                           (!file.empty() && file.back() != '\n' ? 1 : 0);
        std::size_t taken = 0, refused = 0;
        for (const auto& [name, e] : entries) taken += e.inManifest;
        const std::string twice = " is listed twice";
        for (const auto& f : findings)
            refused += f.what == "not a sha256sum line" ||
                       (f.what.size() > twice.size() &&
                        f.what.compare(f.what.size() - twice.size(), twice.size(), twice) == 0);
        fuzz::require(taken + refused == lines, "each manifest line taken or reported once");
        break;
    }
    case 1:
        if (!archive::readArkivstrukturBytes(file, entries, findings))
            fuzz::require(findings.empty(), "XML that is not well-formed adds no finding");
        break;
    default:
        archive::checkAddml(file, 1, arkivstrukturSha, findings);
        fuzz::require(findings.size() <= 2, "the ADDML gets at most two findings");
        break;
    }
    requireWhereAndWhat(findings);
    return 0;
}
