// Writes the seeds that are made by the product rather than written by hand (those are in
// tests/fuzz/corpus): a small .xlsx name list (the tests' XlsxWriter, as Excel writes one), a
// sealed PDF (renderPdf with a fresh seal key; some 50 KB), and the files of the archive
// harness's package (Package.h), which the package reader's harness reads too. Run at build time (tests/fuzz/CMakeLists.txt), into
// BUILD_DIR/seeds/TARGET, so that they follow the product.
// Usage: make_seeds SEEDS_DIR
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <fstream>
#include <iostream>

#include "Package.h"
#include "XlsxWriter.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/Seal.h"

using namespace avtaleflyt;

namespace {

void write(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush())
        throw std::runtime_error(path + ": cannot write");
    std::cout << path << " (" << bytes.size() << " bytes)\n";
}

std::string temporaryFolder() {
    const std::string dir = Poco::TemporaryFile::tempName();
    Poco::File(dir).createDirectories();
    Poco::TemporaryFile::registerForDeletion(dir);
    return dir;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_seeds SEEDS_DIR\n";
        return 2;
    }
    const std::string corpus = argv[1];
    for (const char* target : {"xlsx", "seal", "archive", "package_reader"})
        Poco::File(corpus + "/" + target).createDirectories();

    const std::vector<std::vector<std::string>> roster = {
        {"Navn", "E-post", "Telefon", "Kommune", "Enhet", "Rolle"},
        {"Åse Bø", "ase.bo@follo.example", "91234567", "Nordre Follo", "Tunet",
         "ressurssykepleier"},
        {"Tor O'Neil", "tor@follo.example", "", "Ås", "Moer sykehjem", "leder"}};
    write(corpus + "/xlsx/roster.xlsx", test::makeXlsx(roster));
    test::XlsxOptions inlined;
    inlined.inlineStrings = inlined.numericPhones = inlined.richTextFirstCell = true;
    write(corpus + "/xlsx/roster-inline.xlsx", test::makeXlsx(roster, inlined));

    const std::string keys = temporaryFolder();
    documents::SealKey::create(keys + "/seal.crt", keys + "/seal.key", "avtaleflyt fuzz seal");
    const auto key = documents::SealKey::loadPem(keys + "/seal.crt", keys + "/seal.key");
    FilledDocument doc;
    doc.title = "Avtale";
    doc.blocks.push_back({TemplateBlock::Kind::Paragraph, 0, "Avtalen gjelder fra 1. januar.", 0});
    documents::PdfOptions options;
    options.networkName = "Kompetansenettverket Follo";
    options.caseReference = "FB-2026-0001";
    options.created = *parseTimestamp("2026-11-24T10:00:00Z");
    const std::string pdf = documents::renderPdf(doc, options, &key);
    write(corpus + "/seal/sealed.pdf", pdf);

    const std::string package = fuzz::writeFuzzPackage(temporaryFolder(), pdf, key);
    for (std::size_t i = 0; i < fuzz::packageFiles().size(); ++i) {
        const std::string& file = fuzz::packageFiles()[i];
        const std::string name = file.substr(file.rfind('/') + 1);
        write(corpus + "/archive/" + std::to_string(i) + "-" + name,
              std::string(1, static_cast<char>(i)) + *documents::tryReadFile(package + "/" + file));
    }
    // The package reader's: the manifest (0), arkivstruktur.xml (1) and the ADDML (2).
    const char* const read[] = {"manifest.sha256", "arkivstruktur.xml", "arkivuttrekk.xml"};
    for (int i = 0; i < 3; ++i)
        write(corpus + "/package_reader/" + std::to_string(i) + "-" + read[i],
              std::string(1, static_cast<char>(i)) +
                  *documents::tryReadFile(package + "/" + read[i]));
    return 0;
}
