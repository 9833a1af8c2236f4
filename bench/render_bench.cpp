// Render + seal throughput of the function description: the median time per sealed document
// over N documents (different nurses), pages per second, and render-only as a reference.
// Usage: render_bench N SEALDIR [HTMLFILE]  (HTMLFILE: the same document as HTML, for the
// LibreOffice reference run in scripts/bench.sh)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/documents/Templates.h"

using namespace avtaleflyt;
using Stopwatch = std::chrono::steady_clock;

namespace {

double medianMs(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::map<std::string, std::string> valuesFor(int i) {
    return {{"nurse.name", "Åse Ødegård-Bø " + std::to_string(i)},
            {"nurse.unit", "Tunet omsorgssenter"},
            {"nurse.municipality", "Nordre Follo"},
            {"nurse.area", "Follo"},
            {"leader.name", "Tor O'Neil"},
            {"network.name", "Kompetansenettverket i Ahus-området"},
            {"case.reference", "FB-2026-" + std::to_string(1000 + i)},
            {"case.date", "2026-11-24"},
            {"template.version", "1"}};
}

void writeHtml(const FilledDocument& doc, const std::string& path) {
    std::ofstream out(path);
    out << "<html><head><meta charset=\"utf-8\"><title>" << doc.title << "</title></head><body><h1>"
        << doc.title << "</h1>";
    bool inList = false;
    for (const auto& b : doc.blocks) {
        if (b.kind != TemplateBlock::Kind::ListItem && inList)
            out << "</ul>", inList = false;
        if (b.kind == TemplateBlock::Kind::Heading)
            out << "<h2>" << b.text << "</h2>";
        if (b.kind == TemplateBlock::Kind::Paragraph)
            out << "<p>" << b.text << "</p>";
        if (b.kind == TemplateBlock::Kind::ListItem) {
            if (!inList)
                out << "<ul>", inList = true;
            out << "<li>" << b.text << "</li>";
        }
    }
    out << (inList ? "</ul>" : "")
        << "<h2>Signaturer</h2><p>Åse Ødegård-Bø, Ressurssykepleier</p></body></html>";
}

}  // namespace

int main(int argc, char** argv) {
    documents::keepAllocatorMemoryForRendering();
    if (argc < 3) {
        std::fprintf(stderr, "usage: render_bench N SEALDIR [HTMLFILE]\n");
        return 2;
    }
    const int n = std::max(1, std::atoi(argv[1]));
    const std::string dir = argv[2];
    documents::SealKey::create(dir + "/c.pem", dir + "/k.pem", "avtaleflyt bench");
    const documents::SealKey key = documents::SealKey::loadPem(dir + "/c.pem", dir + "/k.pem");
    const auto& tmpl = documents::shippedTemplate("function-description", 1);

    documents::PdfOptions o;
    o.networkName = "Kompetansenettverket i Ahus-området";
    o.templateLabel = "function-description v1";
    o.created = *parseTimestamp("2026-11-24T10:00:00Z");
    o.signaturePage = true;
    o.signatures = {
        {"Åse Ødegård-Bø", "nurse", "Tunet omsorgssenter", "2026-11-20T08:00:00Z", "link"},
        {"Tor O'Neil", "leader", "Tunet omsorgssenter", "2026-11-21T12:30:00Z", "link"}};

    std::vector<double> sealed, plain;
    std::size_t bytes = 0;
    for (int i = 0; i < n; ++i) {
        o.caseReference = "FB-2026-" + std::to_string(1000 + i);
        const auto t0 = Stopwatch::now();
        const FilledDocument doc = fillTemplate(tmpl, valuesFor(i));
        const std::string pdf = documents::renderPdf(doc, o, &key);
        const auto t1 = Stopwatch::now();
        documents::renderPdf(doc, o, nullptr);
        const auto t2 = Stopwatch::now();
        sealed.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        plain.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
        bytes += pdf.size();
    }
    const double pages = 2;  // the function description and its signature page
    const double ms = medianMs(sealed);
    std::printf(
        "documents=%d\nsealed_median_ms=%.2f\nrender_only_median_ms=%.2f\npages_per_second=%.0f\n"
        "mean_kib=%.1f\n",
        n, ms, medianMs(plain), pages * 1000.0 / ms, static_cast<double>(bytes) / 1024.0 / n);
    if (argc > 3)
        writeHtml(fillTemplate(tmpl, valuesFor(0)), argv[3]);
    return 0;
}
