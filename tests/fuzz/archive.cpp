// auditPackage (archive/Package.h) of a package one of whose files is any bytes: the input's
// first byte picks the file (Package.h: arkivstruktur.xml, manifest.sha256, arkivuttrekk.xml,
// the sealed PDF, the manifest's signature), the rest is written as its content in a package made once in a temporary
// folder, audited, and the file put back. The audit never throws: it returns findings, and an
// unchanged package has none but what the input's file differs in.
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "Fuzz.h"
#include "Package.h"
#include "avtaleflyt/archive/Schemas.h"
#include "avtaleflyt/documents/Files.h"

using namespace avtaleflyt;

namespace {

std::string packageDir;
std::map<std::string, std::string> original;  // file -> its bytes in the package as made

void put(const std::string& file, const std::string& bytes) {
    std::ofstream out(packageDir + "/" + file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    fuzz::require(static_cast<bool>(out.flush()), "the package file written");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::once([] {
        // The seed PDF (made at build time, make_seeds.cpp); without it, a PDF without a seal.
        const auto sealed = documents::tryReadFile(AVTALEFLYT_FUZZ_SEEDS "/seal/sealed.pdf");
        const std::string tmp = Poco::TemporaryFile::tempName();
        Poco::File(tmp).createDirectories();
        Poco::TemporaryFile::registerForDeletion(tmp);
        documents::SealKey::create(tmp + "/seal.crt", tmp + "/seal.key", "avtaleflyt fuzz seal");
        const auto seal = documents::SealKey::loadPem(tmp + "/seal.crt", tmp + "/seal.key");
        Poco::File(tmp + "/pakke").createDirectories();
        packageDir =
            fuzz::writeFuzzPackage(tmp + "/pakke", sealed.value_or("%PDF-1.7\n%%EOF\n"), seal);
        for (const auto& file : fuzz::packageFiles())
            original[file] = documents::tryReadFile(packageDir + "/" + file).value_or("");
        if (sealed)
            fuzz::require(archive::auditPackage(packageDir, archive::noark5Schemas()).empty(),
                          "the package as made passes its audit");
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return -1;
    const std::string& file = fuzz::packageFiles()[data[0] % fuzz::packageFiles().size()];
    put(file, fuzz::bytes(data + 1, size - 1));
    const auto findings = archive::auditPackage(packageDir, archive::noark5Schemas());
    put(file, original.at(file));
    for (const auto& f : findings)
        fuzz::require(!f.where.empty() && !f.what.empty(), "a finding says where and what");
    return 0;
}
