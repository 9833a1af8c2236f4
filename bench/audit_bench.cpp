// The archive audit at scale.
//   audit_bench make N DIR   writes a package of N sealed function descriptions into DIR
//   audit_bench audit PKG    audits the package PKG (in this process alone) and prints the
//                            elapsed time, the findings and the peak memory
// scripts/bench.sh runs both and sha256sum over the same files as the reference.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/documents/Templates.h"

using namespace avtaleflyt;

namespace {

int make(int n, const std::string& dir) {
    documents::SealKey::create(dir + "/c.pem", dir + "/k.pem", "avtaleflyt bench");
    const documents::SealKey key = documents::SealKey::loadPem(dir + "/c.pem", dir + "/k.pem");
    const std::map<std::string, std::string> values = {
        {"nurse.name", "Åse Ødegård-Bø"}, {"nurse.unit", "Tunet"},
        {"nurse.municipality", "Frogn"},  {"nurse.area", "Follo"},
        {"leader.name", "Tor O'Neil"},    {"network.name", "Nettverket"},
        {"case.reference", "FB-2026-1"},  {"case.date", "2026-11-24"},
        {"template.version", "1"}};
    documents::PdfOptions o;
    o.networkName = "Nettverket";
    o.caseReference = "FB-2026-1";
    o.templateLabel = "function-description v1";
    o.created = *parseTimestamp("2026-11-24T10:00:00Z");
    o.signaturePage = true;
    o.signatures = {{"Åse Ødegård-Bø", "nurse", "Tunet", "2026-11-20T08:00:00Z", "link"}};
    const auto pdf = std::make_shared<const std::string>(documents::renderPdf(
        fillTemplate(documents::shippedTemplate("function-description", 1), values), o, &key));
    std::vector<archive::ArchiveDocument> docs(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        auto& d = docs[static_cast<std::size_t>(i)];
        char ref[32];
        std::snprintf(ref, sizeof ref, "FB-2026-%06d", i + 1);
        d.caseReference = ref;
        d.workflow = "function-description";
        d.workflowTitle = "Funksjonsbeskrivelse for ressurssykepleier";
        d.title = d.workflowTitle + ": sykepleier " + std::to_string(i + 1);
        d.publicTitle = d.workflowTitle + " " + ref;
        d.documentType = "Avtale";
        d.screened = true;
        d.year = 2026;
        d.pdf = pdf;
    }
    archive::PackageSettings settings;
    settings.creatorName = "Nettverket";
    auto package = archive::buildPackage(docs, settings, *parseTimestamp("2026-11-24T12:00:00Z"),
                                         archive::noark5Schemas());
    package.manifestSignature = key.sign(package.manifest);  // as `archive` signs it
    std::printf("%s\n", archive::writePackage(package, dir, documents::defaultEnv()).c_str());
    return 0;
}

int audit(const std::string& pkg) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto findings = archive::auditPackage(pkg, archive::noark5Schemas());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const auto& f : findings) std::fprintf(stderr, "%s: %s\n", f.where.c_str(), f.what.c_str());
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("audit_seconds=%.2f\nfindings=%zu\npeak_rss_mib=%.0f\n", seconds, findings.size(),
                static_cast<double>(usage.ru_maxrss) / 1024.0);
    return findings.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "make" && argc == 4)
        return make(std::max(1, std::atoi(argv[2])), argv[3]);
    if (mode == "audit" && argc == 3)
        return audit(argv[2]);
    std::fprintf(stderr, "usage: audit_bench make N DIR | audit_bench audit PACKAGE\n");
    return 2;
}
