// PDFs checked with the tools a records office would use: poppler's pdftotext, pdffonts,
// pdfsig, pdfinfo and qpdf --check.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "TestSupport.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/documents/Templates.h"

using namespace avtaleflyt;
using namespace avtaleflyt::documents;

namespace {

const std::map<std::string, std::string> kValues = {
    {"nurse.name", "Åse Ødegård-Bø"},
    {"nurse.unit", "Tunet omsorgssenter"},
    {"nurse.municipality", "Nordre Follo"},
    {"nurse.area", "Follo"},
    {"leader.name", "Tor O'Neil"},
    {"network.name", "Kompetansenettverket – «Follo og Ahus»"},
    {"case.reference", "FB-2026-0042"},
    {"case.date", "2. november 2026"},
    {"template.version", "1"}};

PdfOptions options() {
    PdfOptions o;
    o.networkName = "Kompetansenettverket – «Follo og Ahus»";
    o.caseReference = "FB-2026-0042";
    o.templateLabel = "function-description v1";
    o.created = *parseTimestamp("2026-11-24T10:00:00Z");
    return o;
}

FilledDocument functionDescription() {
    return fillTemplate(shippedTemplate("function-description", 1), kValues);
}

// The function description for a nurse of another name.
FilledDocument functionDescriptionFor(const std::string& nurse) {
    auto values = kValues;
    values["nurse.name"] = nurse;
    return fillTemplate(shippedTemplate("function-description", 1), values);
}

// The subset font names (tag+PostScript name) pdffonts lists, each checked embedded and subset.
std::set<std::string> subsetFonts(const std::string& path) {
    const auto fonts = test::runTool("pdffonts '" + path + "'");
    REQUIRE(fonts.exitCode == 0);
    std::set<std::string> names;
    std::istringstream lines(fonts.out);
    std::string line;
    std::getline(lines, line);
    std::getline(lines, line);
    while (std::getline(lines, line)) {
        INFO(line);
        CHECK(line.find(" yes yes ") != std::string::npos);
        names.insert(line.substr(0, line.find(' ')));
    }
    return names;
}

struct Written {
    test::TempDir dir;
    std::string path;
    explicit Written(const std::string& bytes) : path(dir.file("doc.pdf")) {
        test::writeFile(path, bytes);
    }
};

// pdftotext joins the lines of a paragraph with line breaks; compare with single spaces.
std::string flat(std::string s) {
    for (auto& c : s)
        if (c == '\n' || c == '\f')
            c = ' ';
    std::string out;
    for (const char c : s)
        if (!(c == ' ' && !out.empty() && out.back() == ' '))
            out += c;
    return out;
}

}  // namespace

TEST_CASE("a missing placeholder value is an error naming it and its line, never a gap",
          "[pdf][template]") {
    auto values = kValues;
    values.erase("leader.name");
    values["nurse.unit"] = "  ";
    CHECK_THROWS_WITH(
        fillTemplate(shippedTemplate("function-description", 1), values),
        "documents/templates/function-description-v1.xml:4: {{nurse.unit}} has no value\n"
        "documents/templates/function-description-v1.xml:4: {{leader.name}} has no value");
    CHECK_THROWS_AS(shippedTemplate("function-description", 9), TemplateError);
}

TEST_CASE("a template that breaks the schema is reported with file and line", "[pdf][template]") {
    CHECK_THROWS_WITH(
        parseTemplate("<?xml version=\"1.0\"?>\n<template xmlns=\"urn:avtaleflyt:template:1\" "
                      "name=\"x\" version=\"1\" language=\"nb\">\n<title/>\n</template>\n",
                      "t.xml"),
        Catch::Matchers::StartsWith("t.xml:3: xml: "));
}

// Found by the template fuzzer (tests/fuzz/template.cpp): the schema let any positive integer
// through, and a version beyond an int escaped parseTemplate as std::out_of_range.
TEST_CASE("A template whose version is beyond 2147483647 is refused with its line and the "
          "schema's reason",
          "[pdf][template]") {
    const auto xml = [](const std::string& version) {
        return "<?xml version=\"1.0\"?>\n<template xmlns=\"urn:avtaleflyt:template:1\" "
               "name=\"x\" version=\"" +
               version +
               "\" language=\"nb\">\n<title>T</title>\n<section title=\"S\"><p>P</p></section>\n"
               "</template>\n";
    };
    CHECK(parseTemplate(xml("2147483647"), "t.xml").version == 2147483647);
    for (const std::string version : {"2147483648", "99999999999999999999"})
        CHECK_THROWS_WITH(parseTemplate(xml(version), "t.xml"),
                          Catch::Matchers::StartsWith("t.xml:2: xml: ") &&
                              Catch::Matchers::Contains("'" + version + "'") &&
                              Catch::Matchers::Contains("maximum value allowed ('2147483647')"));
}

TEST_CASE("the function description renders as A4 with Norwegian text that pdftotext gives back",
          "[pdf]") {
    Written pdf(renderPdf(functionDescription(), options()));
    const auto text = test::runTool("pdftotext -layout '" + pdf.path + "' -");
    REQUIRE(text.exitCode == 0);
    const std::string t = flat(text.out);
    CHECK(t.find("Funksjonsbeskrivelse for ressurssykepleier") != std::string::npos);
    CHECK(t.find("Åse Ødegård-Bø") != std::string::npos);
    CHECK(t.find("Tor O'Neil") != std::string::npos);
    CHECK(t.find("Kompetansenettverket – «Follo og Ahus»") != std::string::npos);
    CHECK(t.find("nettverkssamlinger med til sammen 12 timer") != std::string::npos);
    CHECK(t.find("Referanse FB-2026-0042 · mal function-description v1") != std::string::npos);
    CHECK(t.find("Side 1 av 1") != std::string::npos);
    CHECK(t.find("{{") == std::string::npos);

    const auto info = test::runTool("pdfinfo '" + pdf.path + "'");
    CHECK(info.out.find("Page size:       595 x 842 pts (A4)") != std::string::npos);
    CHECK(info.out.find("Pages:           1") != std::string::npos);
    CHECK(info.out.find("PDF version:     1.7") != std::string::npos);
    CHECK(test::runTool("qpdf --check '" + pdf.path + "'").exitCode == 0);
}

TEST_CASE("every font in the PDF is embedded and subset", "[pdf]") {
    PdfOptions o = options();
    o.signaturePage = true;
    o.signatures = {
        {"Åse Ødegård-Bø", "nurse", "Tunet omsorgssenter", "2026-11-20T08:00:00Z", "link"}};
    Written pdf(renderPdf(functionDescription(), o));
    const auto fonts = test::runTool("pdffonts '" + pdf.path + "'");
    REQUIRE(fonts.exitCode == 0);
    CHECK(test::countLines(fonts.out, "DejaVuSans") == 2);
    std::istringstream lines(fonts.out);
    std::string line;
    std::getline(lines, line);
    std::getline(lines, line);
    while (std::getline(lines, line)) {
        INFO(line);
        CHECK(line.find(" yes yes ") != std::string::npos);  // embedded, subset
    }
}

TEST_CASE("the PDF/A-2b parts are there: XMP metadata matching the info, an sRGB output intent",
          "[pdf]") {
    Written pdf(renderPdf(functionDescription(), options()));
    const auto qdf = test::runTool("qpdf --qdf --object-streams=disable '" + pdf.path + "' -");
    CHECK(qdf.out.find("<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>") !=
          std::string::npos);
    CHECK(qdf.out.find("/S /GTS_PDFA1") != std::string::npos);
    CHECK(qdf.out.find("/OutputConditionIdentifier (sRGB IEC61966-2.1)") != std::string::npos);
    CHECK(qdf.out.find("<xmp:CreateDate>2026-11-24T10:00:00Z</xmp:CreateDate>") !=
          std::string::npos);
    CHECK(qdf.out.find("/CreationDate (D:20261124100000") != std::string::npos);
    CHECK(qdf.out.find("/ModDate (D:20261124100000") != std::string::npos);
    CHECK(qdf.out.find("/Helvetica") == std::string::npos);  // no unembedded standard font anywhere
}

TEST_CASE("the final document: signature page and event log without e-mail addresses", "[pdf]") {
    PdfOptions o = options();
    o.signaturePage = true;
    o.signatures = {
        {"Åse Ødegård-Bø", "nurse", "Tunet omsorgssenter", "2026-11-20T08:00:00Z", "link"},
        {"Tor O'Neil", "leader", "Tunet omsorgssenter", "2026-11-21T12:30:00Z", "paper"}};
    o.trail = {{"2026-11-02T09:00:00Z", "case.opened"},
               {"2026-11-02T09:00:00Z", "case.send"},
               {"2026-11-20T08:00:00Z", "case.sign"},
               {"2026-11-21T12:30:00Z", "case.sign"}};
    Written pdf(renderPdf(functionDescription(), o));
    const std::string t = flat(test::runTool("pdftotext -layout '" + pdf.path + "' -").out);
    CHECK(t.find("Signaturer") != std::string::npos);
    CHECK(t.find("Rolle: Nærmeste leder · Enhet: Tunet omsorgssenter") != std::string::npos);
    CHECK(t.find("Tidspunkt: 2026-11-21T12:30:00Z · Signert med: papir (skannet signatur arkivert "
                 "med saken)") != std::string::npos);
    CHECK(t.find("Vedlegg: Hendelseslogg for saken") != std::string::npos);
    CHECK(t.find("2026-11-02T09:00:00Z Sendt til signering") != std::string::npos);
    CHECK(t.find("@") == std::string::npos);
}

TEST_CASE("a sealed PDF: pdfsig says valid and whole, one changed byte is a digest mismatch",
          "[pdf][seal]") {
    test::TempDir keys;
    SealKey::create(keys.file("seal.crt"), keys.file("seal.key"), "avtaleflyt test seal");
    const SealKey key = SealKey::loadPem(keys.file("seal.crt"), keys.file("seal.key"));
    PdfOptions o = options();
    o.signaturePage = true;
    o.signatures = {{"Åse Ødegård-Bø", "nurse", "Tunet", "2026-11-20T08:00:00Z", "link"}};
    const std::string bytes = renderPdf(functionDescription(), o, &key);
    Written pdf(bytes);
    const auto sig = test::runTool("pdfsig '" + pdf.path + "'");
    INFO(sig.out);
    CHECK(sig.out.find("Signature Validation: Signature is Valid.") != std::string::npos);
    CHECK(sig.out.find("Total document signed") != std::string::npos);
    CHECK(sig.out.find("ETSI.CAdES.detached") != std::string::npos);
    CHECK(sig.out.find("avtaleflyt test seal") != std::string::npos);
    CHECK(test::runTool("qpdf --check '" + pdf.path + "'").exitCode == 0);
    CHECK(flat(test::runTool("pdftotext '" + pdf.path + "' -").out).find("Elektronisk forseglet") !=
          std::string::npos);

    const SealCheck ok = verifySeal(bytes);
    CHECK(ok.valid);
    CHECK(ok.wholeDocument);
    CHECK(ok.signer == "avtaleflyt test seal");
    CHECK(ok.subFilter == "ETSI.CAdES.detached");

    std::string tampered = bytes;
    const auto at = tampered.find("Funksjonsbeskrivelse") != std::string::npos
                        ? tampered.find("/Producer")
                        : 500;
    tampered[at + 2] = tampered[at + 2] == 'r' ? 's' : 'r';
    Written bad(tampered);
    CHECK(test::runTool("pdfsig '" + bad.path + "'").out.find("Digest Mismatch") !=
          std::string::npos);
    const SealCheck broken = verifySeal(tampered);
    CHECK_FALSE(broken.valid);
    CHECK(broken.problem.rfind("the document was changed after it was sealed", 0) == 0);
    CHECK_FALSE(verifySeal(renderPdf(functionDescription(), options())).sealed);
}

TEST_CASE("seal keys: a key that does not match its certificate is refused, naming the file",
          "[seal]") {
    test::TempDir dir;
    SealKey::create(dir.file("a.crt"), dir.file("a.key"), "A");
    SealKey::create(dir.file("b.crt"), dir.file("b.key"), "B");
    CHECK_THROWS_WITH(
        SealKey::loadPem(dir.file("a.crt"), dir.file("b.key")),
        dir.file("b.key") + ": the key does not belong to the certificate in " + dir.file("a.crt"));
    CHECK_THROWS_WITH(SealKey::loadPem(dir.file("none.crt"), dir.file("a.key")),
                      dir.file("none.crt") + ": cannot read the file");
    CHECK(test::runTool("stat -c %a '" + dir.file("a.key") + "'").out == "600\n");
}

TEST_CASE("the same document, options and date render to the same bytes (golden mode)", "[pdf]") {
    const std::string first = renderPdf(functionDescription(), options());
    CHECK(renderPdf(functionDescription(), options()) == first);
    PdfOptions later = options();
    later.created = *parseTimestamp("2026-11-25T10:00:00Z");
    CHECK(renderPdf(functionDescription(), later) != first);
}

TEST_CASE("long texts flow across pages and every page is numbered", "[pdf]") {
    FilledDocument doc;
    doc.title = "Årsrapport";
    for (int i = 1; i <= 60; ++i) {
        doc.blocks.push_back({TemplateBlock::Kind::Heading, 1, "Kapittel " + std::to_string(i), 0});
        doc.blocks.push_back(
            {TemplateBlock::Kind::Paragraph, 1,
             "Avsnitt " + std::to_string(i) + ": " + std::string(40, 'x') +
                 " Ressurssykepleierne møttes på samling, og erfaringene ble delt på tvers av "
                 "kommunene, bydelene og sykehuset – også i år.",
             0});
    }
    Written pdf(renderPdf(doc, options()));
    const auto info = test::runTool("pdfinfo '" + pdf.path + "'").out;
    const auto pages = std::stoi(info.substr(info.find("Pages:") + 6));
    CHECK(pages >= 4);
    const std::string t = flat(test::runTool("pdftotext -layout '" + pdf.path + "' -").out);
    CHECK(t.find("Avsnitt 60:") != std::string::npos);
    CHECK(t.find("Side " + std::to_string(pages) + " av " + std::to_string(pages)) !=
          std::string::npos);
}

TEST_CASE("golden: the function description's text matches tests/golden, line for line",
          "[pdf][golden]") {
    PdfOptions o = options();
    o.signaturePage = true;
    o.signatures = {
        {"Åse Ødegård-Bø", "nurse", "Tunet omsorgssenter", "2026-11-20T08:00:00Z", "link"},
        {"Tor O'Neil", "leader", "Tunet omsorgssenter", "", ""}};
    o.trail = {{"2026-11-02T09:00:00Z", "case.opened"}, {"2026-11-02T09:00:00Z", "case.send"}};
    Written pdf(renderPdf(functionDescription(), o));
    const std::string text = test::runTool("pdftotext -layout '" + pdf.path + "' -").out;
    const std::string golden = AVTALEFLYT_SOURCE_DIR "/tests/golden/function-description-v1.txt";
    if (std::getenv("AVTALEFLYT_UPDATE_GOLDEN"))
        test::writeFile(golden, text);
    INFO("regenerate with AVTALEFLYT_UPDATE_GOLDEN=1 if the change is intended");
    CHECK(text == test::readFile(golden));
}

TEST_CASE("a PKCS#12 seal from the configuration is used, and a wrong password is refused",
          "[seal]") {
    test::TempDir dir;
    SealKey::create(dir.file("c.pem"), dir.file("k.pem"), "Ahus segl");
    REQUIRE(test::runTool("openssl pkcs12 -export -in '" + dir.file("c.pem") + "' -inkey '" +
                          dir.file("k.pem") + "' -out '" + dir.file("seal.p12") +
                          "' -passout pass:hemmelig")
                .exitCode == 0);
    const SealKey key = SealKey::loadPkcs12(dir.file("seal.p12"), "hemmelig");
    CHECK(key.subject() == "Ahus segl");
    CHECK(verifySeal(renderPdf(functionDescription(), options(), &key)).signer == "Ahus segl");
    CHECK_THROWS_WITH(SealKey::loadPkcs12(dir.file("seal.p12"), "feil"),
                      dir.file("seal.p12") + ": cannot open the PKCS#12 file (wrong password?)");
}

TEST_CASE("a damaged seal signature is reported, not a crash", "[seal]") {
    test::TempDir keys;
    SealKey::create(keys.file("c.pem"), keys.file("k.pem"), "x");
    const SealKey key = SealKey::loadPem(keys.file("c.pem"), keys.file("k.pem"));
    std::string pdf = renderPdf(functionDescription(), options(), &key);
    const auto contents = pdf.find("/Contents<");
    REQUIRE(contents != std::string::npos);
    pdf[contents + 20] = 'z';
    const SealCheck check = verifySeal(pdf);
    CHECK_FALSE(check.valid);
    CHECK(check.problem == "the seal's signature is not a hex string");
}

// Found by the seal fuzzer (tests/fuzz/seal.cpp): the end of the second range was added up in a
// signed number, which overflows for these (undefined behaviour; `make asan` stopped on it).
TEST_CASE("A PDF whose /ByteRange numbers add up past the largest number is refused as a "
          "malformed byte range",
          "[seal]") {
    for (const char* range : {"[0 10 9223372036854775807 9223372036854775807]",
                              "[0 10 20 9223372036854775807]", "[0 10 20 99999999999999999999]"}) {
        const std::string pdf =
            std::string("%PDF-1.7\n<</ByteRange") + range + "/Contents<00>>>\n%%EOF\n";
        const SealCheck check = verifySeal(pdf);
        CHECK(check.sealed);
        CHECK_FALSE(check.valid);
        CHECK(check.problem == "the seal's byte range is malformed");
        CHECK(SealVerifier().check(pdf).problem == "the seal's byte range is malformed");
    }
}

TEST_CASE("a seal made by another tool (signer named by key identifier) is checked through "
          "OpenSSL's CMS parser, and a changed byte is still found",
          "[seal]") {
    test::TempDir dir;
    SealKey::create(dir.file("c.pem"), dir.file("k.pem"), "Kommunens segl");
    const SealKey key = SealKey::loadPem(dir.file("c.pem"), dir.file("k.pem"));
    std::string pdf = renderPdf(functionDescription(), options(), &key);
    // Re-sign the same byte range with the openssl tool, naming the signer by key identifier.
    long long r[4] = {0, 0, 0, 0};
    const auto open = pdf.find('[', pdf.rfind("/ByteRange"));
    REQUIRE(std::sscanf(pdf.c_str() + open + 1, "%lld %lld %lld %lld", &r[0], &r[1], &r[2],
                        &r[3]) == 4);
    const auto first = static_cast<std::size_t>(r[1]), second = static_cast<std::size_t>(r[2]);
    test::writeFile(dir.file("signed"), pdf.substr(0, first) + pdf.substr(second));
    REQUIRE(test::runTool("openssl cms -sign -binary -keyid -md sha256 -outform DER -in '" +
                          dir.file("signed") + "' -signer '" + dir.file("c.pem") + "' -inkey '" +
                          dir.file("k.pem") + "' -out '" + dir.file("sig.der") + "'")
                .exitCode == 0);
    const std::string der = test::readFile(dir.file("sig.der"));
    std::string hexSignature;
    for (const unsigned char c : der) {
        static const char digits[] = "0123456789abcdef";
        hexSignature += digits[c >> 4];
        hexSignature += digits[c & 15];
    }
    REQUIRE(hexSignature.size() <= second - first - 2);
    pdf.replace(first + 1, hexSignature.size(), hexSignature);

    SealVerifier verifier;
    std::string sha;
    const SealCheck ok = verifier.check(pdf, &sha);
    INFO(ok.problem);
    CHECK(ok.valid);
    CHECK(ok.signer == "Kommunens segl");
    Written file(pdf);
    CHECK(test::runTool("sha256sum '" + file.path + "'").out.substr(0, 64) == sha);

    std::string tampered = pdf;
    tampered[500] = tampered[500] == 'a' ? 'b' : 'a';
    const SealCheck broken = verifier.check(tampered);
    CHECK_FALSE(broken.valid);
    CHECK(broken.problem == "the document was changed after it was sealed (digest mismatch)");
}

TEST_CASE("one seal verifier checks documents of several seals and gives each file's SHA-256",
          "[seal]") {
    test::TempDir dir;
    SealKey::create(dir.file("a.pem"), dir.file("ak.pem"), "Segl A");
    SealKey::create(dir.file("b.pem"), dir.file("bk.pem"), "Segl B");
    const SealKey a = SealKey::loadPem(dir.file("a.pem"), dir.file("ak.pem"));
    const SealKey b = SealKey::loadPem(dir.file("b.pem"), dir.file("bk.pem"));
    SealVerifier verifier;
    for (const SealKey* key : {&a, &b, &a}) {
        const std::string pdf = renderPdf(functionDescription(), options(), key);
        std::string sha;
        const SealCheck check = verifier.check(pdf, &sha);
        CHECK(check.valid);
        CHECK(check.signer == key->subject());
        Written file(pdf);
        CHECK(test::runTool("sha256sum '" + file.path + "'").out.substr(0, 64) == sha);
    }
    std::string unsealedSha;
    const std::string unsealed = renderPdf(functionDescription(), options());
    CHECK_FALSE(verifier.check(unsealed, &unsealedSha).sealed);
    Written file(unsealed);
    CHECK(test::runTool("sha256sum '" + file.path + "'").out.substr(0, 64) == unsealedSha);
}

TEST_CASE("a name with letters the previous documents' fonts lack gets them: its text, its own "
          "embedded subsets, and the document before it renders as before",
          "[pdf][fonts]") {
    const std::string before = renderPdf(functionDescription(), options());
    const std::string unusual = "Zoë Łukasiewicz-Núñez Ŋ";
    Written pdf(renderPdf(functionDescriptionFor(unusual), options()));
    CHECK(flat(test::runTool("pdftotext '" + pdf.path + "' -").out).find(unusual) !=
          std::string::npos);
    CHECK(test::runTool("qpdf --check '" + pdf.path + "'").exitCode == 0);
    Written first(before);
    const auto usual = subsetFonts(first.path);
    const auto other = subsetFonts(pdf.path);
    CHECK(usual.size() == 2);
    CHECK(other.size() == 2);
    CHECK(other != usual);  // the body text's font has another subset, under another tag
    CHECK(renderPdf(functionDescription(), options()) == before);
}

TEST_CASE("fonts subset and dropped from the cache of subsets are made again the same",
          "[pdf][fonts]") {
    const std::string before = renderPdf(functionDescriptionFor("Åse α"), options());
    // More distinct sets of characters than the cache keeps (Greek letters, one per document).
    for (char16_t c = u'β'; c < u'β' + 40; ++c) {
        std::string name = "Åse ";
        name += static_cast<char>(0xc0 | c >> 6);
        name += static_cast<char>(0x80 | (c & 0x3f));
        renderPdf(functionDescriptionFor(name), options());
    }
    const std::string again = renderPdf(functionDescriptionFor("Åse α"), options());
    CHECK(again == before);
    Written pdf(again);
    CHECK(subsetFonts(pdf.path).size() == 2);
    CHECK(flat(test::runTool("pdftotext '" + pdf.path + "' -").out).find("Åse α") !=
          std::string::npos);
}

TEST_CASE("documents rendered on several threads at once are each the one rendered alone, "
          "with their fonts embedded",
          "[pdf][fonts]") {
    // All threads start with the same characters no document had before (each makes their
    // subsets at the same time), then go on with others.
    const std::vector<std::string> names = {"Ægir Þórsdóttir", "Åse Ødegård-Bø", "Zoë Ŋ",
                                            "Märta Ærø"};
    PdfOptions o = options();
    o.signaturePage = true;
    const auto render = [&](const std::string& name) {
        PdfOptions withSigner = o;
        withSigner.signatures = {{name, "nurse", "Tunet", "2026-11-20T08:00:00Z", "link"}};
        return renderPdf(functionDescriptionFor(name), withSigner);
    };
    constexpr int kThreads = 4;
    std::vector<std::vector<std::string>> rendered(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (const auto& name : names) rendered[t].push_back(render(name));
        });
    for (auto& thread : threads) thread.join();

    for (std::size_t i = 0; i < names.size(); ++i) {
        INFO(names[i]);
        const std::string alone = render(names[i]);
        for (int t = 0; t < kThreads; ++t) CHECK(rendered[t][i] == alone);
        Written pdf(alone);
        CHECK(subsetFonts(pdf.path).size() == 2);
        CHECK(flat(test::runTool("pdftotext '" + pdf.path + "' -").out).find(names[i]) !=
              std::string::npos);
        CHECK(test::runTool("qpdf --check '" + pdf.path + "'").exitCode == 0);
    }
}
