#pragma once
// The package whose files the archive harness (archive.cpp) replaces one at a time, and whose
// files make its seeds (make_seeds.cpp): one case with its sealed PDF, made by the product
// (buildPackage, writePackage). The schemas are not copied in (the audit gets them from the
// binary), which keeps an audit of the package, so each run, fast.

#include <memory>
#include <string>
#include <vector>

#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/PosixEnv.h"
#include "avtaleflyt/documents/Seal.h"

namespace avtaleflyt::fuzz {

// The files an input replaces: the input's first byte picks one, the rest is its content.
inline const std::vector<std::string>& packageFiles() {
    static const std::vector<std::string> files = {
        "arkivstruktur.xml", "manifest.sha256",           "arkivuttrekk.xml",
        "dokumenter/FB-2026-0001.pdf", "manifest.sha256.p7s"};
    return files;
}

// Writes the package into `outDir`, its manifest signed with `seal`; returns its folder. `pdf` is
// the case's sealed PDF.
inline std::string writeFuzzPackage(const std::string& outDir, const std::string& pdf,
                                    const documents::SealKey& seal) {
    archive::ArchiveDocument doc;
    doc.caseReference = "FB-2026-0001";
    doc.workflow = "function-description";
    doc.workflowTitle = "Funksjonsbeskrivelse for ressurssykepleier";
    doc.title = "Funksjonsbeskrivelse – Åse Bø";
    doc.publicTitle = "Funksjonsbeskrivelse";
    doc.documentType = "Avtale";
    doc.year = 2026;
    doc.pdf = std::make_shared<const std::string>(pdf);
    archive::PackageSettings settings;
    settings.creatorName = "Kompetansenettverket Follo";
    const std::vector<archive::ArchiveDocument> docs{doc};
    archive::Package package =
        archive::buildPackage(docs, settings, *parseTimestamp("2026-11-24T10:00:00Z"), {});
    package.manifestSignature = seal.sign(package.manifest);
    return archive::writePackage(package, outDir, documents::defaultEnv());
}

}  // namespace avtaleflyt::fuzz
