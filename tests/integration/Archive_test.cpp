// Archive packages checked as the records office would: the official Noark 5 schemas with
// xmllint, the manifest with sha256sum -c, and each kind of tampering found by the audit.
#include <catch2/catch.hpp>

#include <algorithm>

#include <Poco/File.h>

#include "TestSettings.h"
#include "TestSupport.h"
#include "SmallNetwork.h"
#include "Tester.h"
#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/engine/Installation.h"

using namespace avtaleflyt;
using namespace avtaleflyt::engine;
using test::kTester;

namespace {

const std::string kNetwork = "Nettverk Test";
// The project's copy of the official schemas (archive/schemas), for xmllint.
const std::string kSchemaDir = std::string(AVTALEFLYT_SOURCE_DIR) + "/archive/schemas/noark5";

// Two signed function descriptions (one on paper, with its scan) and a signed agreement.
struct ArchiveFixture {
    test::TempDir dir;
    FixedClock clock{*parseTimestamp("2026-11-02T09:00:00Z")};
    std::string data = dir.file("data");
    std::string database = test::newDatabase();
    Settings settings = test::onDatabase(database);
    std::string out = dir.file("arkiv");

    ArchiveFixture() {
        Installation::init(data, clock, kTester, database);
        auto inst = open();
        test::seedSmallNetwork(inst, kNetwork, dir.file("liste.csv"));
        test::writeFile(dir.file("skann.pdf"), inst.cases().renderCase("FB-2026-0001", false, false));
        REQUIRE(inst.cases().registerPaperSignature(kTester, "FB-2026-0001", "nurse", dir.file("skann.pdf"),
                                            "2026-11-01")
                    .done);
        REQUIRE(
            inst.cases().registerPaperSignature(kTester, "FB-2026-0001", "leader", dir.file("skann.pdf"), "").done);
        Trigger sign;
        sign.name = "sign";
        sign.actor = ActorKind::Signer;
        for (const char* who : {"kari@frogn.example", "tor@frogn.example"}) {
            sign.actorEmail = who;
            REQUIRE(inst.cases().fire(kTester, "FB-2026-0002", sign).done);
        }
        const Case sa = inst.cases().newAgreement(kTester, kNetwork, "Samarbeidsavtale",
                                          {{"Ahus", "Anne Ås", "anne@ahus.example"},
                                           {"Frogn kommune", "Bo Berg", "bo@frogn.example"}},
                                          "");
        Trigger approve = makeTrigger("approve", ActorKind::NetworkLeader);
        approve.approvalBody = "Samarbeidsutvalget";
        approve.approvalDate = "2026-10-30";
        REQUIRE(inst.cases().fire(kTester, sa.reference, makeTrigger("review", ActorKind::NetworkLeader)).done);
        REQUIRE(inst.cases().fire(kTester, sa.reference, approve).done);
        REQUIRE(inst.cases().fire(kTester, sa.reference, makeTrigger("send", ActorKind::NetworkLeader)).done);
        for (const char* who : {"anne@ahus.example", "bo@frogn.example"}) {
            sign.actorEmail = who;
            REQUIRE(inst.cases().fire(kTester, sa.reference, sign).done);
        }
        Poco::File(out).createDirectories();
    }
    Installation open() { return Installation(data, clock, settings); }
    std::string package() {
        const auto r = open().records().archive(kTester, kNetwork, out, "", false);
        REQUIRE(r.references.size() == 3);
        return r.packageDir;
    }
    std::vector<std::string> findings(const std::string& pkg) {
        std::vector<std::string> lines;
        for (const auto& f : archive::auditPackage(pkg, archive::noark5Schemas()))
            lines.push_back(f.where + ": " + f.what);
        return lines;
    }
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("archiving writes a package the records office accepts, and moves the cases to archived",
          "[archive]") {
    ArchiveFixture f;
    CHECK(f.open().records().archive(kTester, kNetwork, f.out, "", true).references ==
          std::vector<std::string>{"FB-2026-0001", "FB-2026-0002", "SA-2026-0001"});
    const std::string pkg = f.package();
    CHECK(pkg == f.out + "/avtaleflyt-20261102T090000Z");
    CHECK(test::runTool("xmllint --noout --schema '" + kSchemaDir + "/arkivstruktur.xsd' '" + pkg +
                        "/arkivstruktur.xml'")
              .exitCode == 0);
    const auto sums = test::runTool("cd '" + pkg + "' && sha256sum -c manifest.sha256");
    CHECK(sums.exitCode == 0);
    // arkivstruktur.xml, arkivuttrekk.xml, the six schemas, three documents, two scans and the
    // audit log's head
    CHECK(test::countLines(sums.out, ": OK") == 14);
    CHECK(test::runTool("xmllint --noout --schema '" + kSchemaDir + "/addml.xsd' '" + pkg +
                        "/arkivuttrekk.xml'")
              .exitCode == 0);
    const std::string addml = test::readFile(pkg + "/arkivuttrekk.xml");
    CHECK(addml.find("<property dataType=\"integer\" name=\"antallDokumentfiler\">\n") !=
          std::string::npos);
    CHECK(addml.find("<value>5</value>") != std::string::npos);
    CHECK(Poco::File(pkg + "/dokumenter/FB-2026-0001-skann-2.pdf").exists());
    CHECK(f.findings(pkg).empty());
    // poppler agrees with our own check of the seals in the package.
    for (const char* doc : {"FB-2026-0001.pdf", "FB-2026-0002.pdf", "SA-2026-0001.pdf"})
        CHECK(test::runTool("pdfsig '" + pkg + "/dokumenter/" + doc + "'")
                  .out.find("Signature is Valid") != std::string::npos);
    for (const char* ref : {"FB-2026-0001", "FB-2026-0002", "SA-2026-0001"})
        CHECK(f.open().cases().details(ref).c.state == "archived");
    CHECK(f.open()
              .records().archive(kTester, kNetwork, f.out, "", false)
              .references.empty());  // each document once
    const auto events = f.open().records().auditEvents(0, 10000);
    CHECK(events.back().kind == "archive.package_written");
    CHECK(events.back().payload.find("\"audit_head\":\"") != std::string::npos);
    CHECK(f.open().records().verifyAuditLog().firstBadSeq == std::nullopt);
}

TEST_CASE("function descriptions are screened, agreements are public, no name in a public title",
          "[archive]") {
    ArchiveFixture f;
    const std::string xml = test::readFile(f.package() + "/arkivstruktur.xml");
    // FB-2026-0001: its registry entry, its document and two scans; FB-2026-0002: entry and
    // document.
    CHECK(test::countLines(xml, "<tilgangsrestriksjon>13</tilgangsrestriksjon>") == 6);
    CHECK(
        xml.find(
            "<skjermingshjemmel>Offl. § 13 jf. fvl. § 13 første ledd nr. 1</skjermingshjemmel>") !=
        std::string::npos);
    CHECK(xml.find("<offentligTittel>Funksjonsbeskrivelse for ressurssykepleier "
                   "FB-2026-0001</offentligTittel>") != std::string::npos);
    CHECK(xml.find("<tittel>Samarbeidsavtale</tittel>") != std::string::npos);
    CHECK(xml.find("<tilknyttetRegistreringSom>Vedlegg</tilknyttetRegistreringSom>") !=
          std::string::npos);
    CHECK(xml.find("<format>fmt/477</format>") != std::string::npos);
}

TEST_CASE("the audit finds and names each kind of tampering", "[archive][audit]") {
    ArchiveFixture f;
    const std::string pkg = f.package();
    const std::string a = pkg + "/dokumenter/FB-2026-0001.pdf",
                      b = pkg + "/dokumenter/FB-2026-0002.pdf";

    SECTION("a flipped byte in a PDF") {
        std::string bytes = test::readFile(b);
        bytes[bytes.find("/Producer") + 3] ^= 0x20;
        test::writeFile(b, bytes);
        const auto found = f.findings(pkg);
        CHECK(contains(found,
                       "dokumenter/FB-2026-0002.pdf: its SHA-256 differs from manifest.sha256"));
        CHECK(std::any_of(found.begin(), found.end(), [](const std::string& s) {
            return s.rfind("dokumenter/FB-2026-0002.pdf: the seal is broken", 0) == 0;
        }));
    }
    SECTION("an arkivstruktur.xml whose bytes are not in the encoding it declares: named in the "
            "findings, nothing on standard error (libxml2 wrote there)") {
        std::string xml = test::readFile(pkg + "/arkivstruktur.xml");
        xml.replace(0, xml.find("?>") + 2, "<?xml version=\"1.0\" encoding=\"EUC-JP\"?>");
        xml.insert(xml.find("<tittel>") + 8, "\xeb\x75\x6d\x65");
        test::writeFile(pkg + "/arkivstruktur.xml", xml);
        std::vector<std::string> found;
        CHECK(test::stderrOf([&] { found = f.findings(pkg); }).empty());
        CHECK(std::any_of(found.begin(), found.end(), [](const std::string& s) {
            return s.rfind("arkivstruktur.xml", 0) == 0 && s.find("conversion") != std::string::npos;
        }));
    }
    SECTION("an edited checksum in the XML") {
        std::string xml = test::readFile(pkg + "/arkivstruktur.xml");
        const auto at = xml.find("<sjekksum>") + 10;
        xml[at] = xml[at] == 'a' ? 'b' : 'a';
        test::writeFile(pkg + "/arkivstruktur.xml", xml);
        const auto found = f.findings(pkg);
        CHECK(contains(found, "arkivstruktur.xml: its SHA-256 differs from manifest.sha256"));
        CHECK(std::any_of(found.begin(), found.end(), [](const std::string& s) {
            return s.find(": its SHA-256 differs from the sjekksum at arkivstruktur.xml:") !=
                   std::string::npos;
        }));
    }
    SECTION("a deleted file") {
        Poco::File(a).remove();
        const auto found = f.findings(pkg);
        CHECK(
            contains(found, "dokumenter/FB-2026-0001.pdf: listed in manifest.sha256 but missing"));
    }
    SECTION("an extra file") {
        test::writeFile(pkg + "/dokumenter/ukjent.pdf", "%PDF-1.7 x");
        const auto found = f.findings(pkg);
        CHECK(contains(found, "dokumenter/ukjent.pdf: not listed in manifest.sha256"));
        CHECK(contains(found, "dokumenter/ukjent.pdf: not referenced in arkivstruktur.xml"));
    }
    SECTION("two files swapped") {
        const std::string first = test::readFile(a), second = test::readFile(b);
        test::writeFile(a, second);
        test::writeFile(b, first);
        const auto found = f.findings(pkg);
        CHECK(contains(found,
                       "dokumenter/FB-2026-0001.pdf: its SHA-256 differs from manifest.sha256"));
        CHECK(contains(found,
                       "dokumenter/FB-2026-0002.pdf: its SHA-256 differs from manifest.sha256"));
    }
    SECTION("a document count in the ADDML that does not agree") {
        std::string addml = test::readFile(pkg + "/arkivuttrekk.xml");
        const auto at = addml.find("name=\"antallDokumentfiler\"");
        const auto v = addml.find("<value>", at) + 7;
        addml.replace(v, 1, "4");
        test::writeFile(pkg + "/arkivuttrekk.xml", addml);
        CHECK(contains(f.findings(pkg),
                       "arkivuttrekk.xml: antallDokumentfiler is 4, but arkivstruktur.xml has 5 "
                       "document objects"));
    }
    SECTION("a dokumentobjekt without its referanseDokumentfil: a finding at its line, not a "
            "file without a name (found by fuzzing)") {
        std::string xml = test::readFile(pkg + "/arkivstruktur.xml");
        const auto start = xml.find("<referanseDokumentfil>");
        xml.erase(start, xml.find("</referanseDokumentfil>", start) + 23 - start);
        test::writeFile(pkg + "/arkivstruktur.xml", xml);
        const auto found = f.findings(pkg);
        CHECK(std::any_of(found.begin(), found.end(), [](const std::string& s) {
            return s.rfind("arkivstruktur.xml:", 0) == 0 &&
                   s.find(": a dokumentobjekt without referanseDokumentfil") != std::string::npos;
        }));
        CHECK(std::none_of(found.begin(), found.end(),
                           [](const std::string& s) { return s.rfind(": ", 0) == 0; }));
    }
    SECTION("a dokumentobjekt without its referanseDokumentfil in XML that breaks off later: only "
            "the XML is reported, not what was read of it (found by fuzzing)") {
        std::string xml = test::readFile(pkg + "/arkivstruktur.xml");
        const auto start = xml.find("<referanseDokumentfil>");
        xml.erase(start, xml.find("</referanseDokumentfil>", start) + 23 - start);
        xml.resize(xml.find("</dokumentobjekt>", start) + 40);
        test::writeFile(pkg + "/arkivstruktur.xml", xml);
        const auto found = f.findings(pkg);
        CHECK(contains(found, "arkivstruktur.xml: not well-formed XML"));
        CHECK(std::none_of(found.begin(), found.end(), [](const std::string& s) {
            return s.find("a dokumentobjekt without referanseDokumentfil") != std::string::npos;
        }));
    }
    SECTION("an empty file") {
        test::writeFile(pkg + "/dokumenter/FB-2026-0001-skann-1.pdf", "");
        CHECK(contains(f.findings(pkg), "dokumenter/FB-2026-0001-skann-1.pdf: empty file"));
    }
}

TEST_CASE("a failure while archiving leaves no package and no case archived", "[archive]") {
    SECTION("an action fails after the cases have moved") {
        struct FailingPort : ActionPort {
            void perform(const Case&, const StepAction& a) override {
                if (a.action == Action::Archive)
                    throw EngineError("the archive queue is full");
            }
        } failing;
        ArchiveFixture f;
        auto inst = f.open();
        inst.setActionPort(&failing);
        CHECK_THROWS_WITH(inst.records().archive(kTester, kNetwork, f.out, "", false),
                          "the archive queue is full");
        CHECK(test::runTool("ls -A '" + f.out + "'").out.empty());
        CHECK(f.open().cases().details("FB-2026-0001").c.state == "signed");
    }
    SECTION("the package cannot be written") {
        ArchiveFixture f;
        test::writeFile(f.dir.file("fil"), "x");
        CHECK_THROWS_AS(f.open().records().archive(kTester, kNetwork, f.dir.file("fil"), "", false),
                        EngineError);
        CHECK(f.open().cases().details("FB-2026-0002").c.state == "signed");
        CHECK(f.open().records().verifyAuditLog().firstBadSeq == std::nullopt);
    }
}

TEST_CASE("paper signatures: the scan must be a PDF, of limited size, dated not in the future",
          "[archive][paper]") {
    ArchiveFixture f;
    auto inst = f.open();
    const std::string ref =
        inst.cases().list({kNetwork, "function-description", "signed", ""}).front().reference;
    test::writeFile(f.dir.file("a.txt"), "not a pdf");
    CHECK_THROWS_WITH(inst.cases().registerPaperSignature(kTester, ref, "nurse", f.dir.file("a.txt"), ""),
                      f.dir.file("a.txt") + ": not a PDF (a scan must be saved as PDF)");
    test::writeFile(f.dir.file("big.pdf"),
                    "%PDF-1.7\n" + std::string(Cases::kMaxScanBytes, ' ') + "%%EOF");
    CHECK_THROWS_WITH(inst.cases().registerPaperSignature(kTester, ref, "nurse", f.dir.file("big.pdf"), ""),
                      f.dir.file("big.pdf") + ": the scan is larger than 10 MiB");
    CHECK_THROWS_WITH(
        inst.cases().registerPaperSignature(kTester, ref, "nurse", f.dir.file("skann.pdf"), "2027-01-01"),
        "--date: 2027-01-01 is in the future");
    const auto refused = inst.cases().registerPaperSignature(kTester, ref, "nurse", f.dir.file("skann.pdf"), "");
    CHECK_FALSE(refused.done);
    CHECK(refused.refusal.find("sign is allowed only from sent or partially_signed") !=
          std::string::npos);
}

TEST_CASE("the records system's number is recorded on an archived case, and only there",
          "[archive]") {
    ArchiveFixture f;
    CHECK_THROWS_WITH(f.open().records().setRecordsReference(kTester, "FB-2026-0001", "26/00123-1"),
                      "case FB-2026-0001 is signed, not archived");
    f.package();
    const Case c = f.open().records().setRecordsReference(kTester, "FB-2026-0001", " 26/00123-1 ");
    CHECK(c.recordsReference == "26/00123-1");
    const auto d = f.open().cases().details("FB-2026-0001");
    CHECK(d.timeline.back().kind == "case.records_reference");
    CHECK(d.timeline.back().payload.rfind("{\"before\":\"\",\"after\":\"26/00123-1\",\"stored\":\"state=archived;", 0) == 0);
    CHECK_THROWS_WITH(f.open().records().setRecordsReference(kTester, "FB-2026-0001", "  "),
                      "the records system's reference is empty");
}

TEST_CASE("a print batch holds the area's newly archived originals, once", "[archive][print]") {
    ArchiveFixture f;
    f.package();
    const std::string out = f.dir.file("utskrift.pdf");
    auto batch = f.open().records().printBatch(kTester, kNetwork, "follo", out, true);
    CHECK(batch.references == std::vector<std::string>{"FB-2026-0001", "FB-2026-0002"});
    const auto info = test::runTool("pdfinfo '" + out + "'").out;
    CHECK(std::stoi(info.substr(info.find("Pages:") + 6)) >= 6);  // two documents of three pages
    const auto text = test::runTool("pdftotext '" + out + "' -").out;
    CHECK(text.find("Referanse FB-2026-0001") != std::string::npos);
    CHECK(text.find("Referanse FB-2026-0002") != std::string::npos);
    CHECK(f.open().records().printBatch(kTester, kNetwork, "Follo", f.dir.file("igjen.pdf"), true).references.empty());
    CHECK_FALSE(Poco::File(f.dir.file("igjen.pdf")).exists());
    CHECK_THROWS_WITH(f.open().records().printBatch(kTester, kNetwork, "Vest", out, true),
                      "no area \"Vest\" in \"Nettverk Test\" (there are: Follo)");
}

TEST_CASE("the installation audit checks every archived case against its records",
          "[archive][audit]") {
    ArchiveFixture f;
    f.package();
    CHECK(f.open().records().auditArchivedCases().empty());
    // Someone removes the archive event and marks a signature unsigned behind avtaleflyt's back.
    test::execSql(
        test::databaseOf(f.data, f.database),
        "DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE kind = 'case.archive' "
        "AND "
        "subject = 'FB-2026-0002'; UPDATE signature_request SET status = 'open' WHERE id = "
        "(SELECT r.id FROM signature_request r JOIN case_file c ON c.id = r.case_id "
        "WHERE c.reference = 'SA-2026-0001' LIMIT 1)");
    CHECK(f.open().records().auditArchivedCases() ==
          std::vector<std::string>{"FB-2026-0002: no archive event in the audit log",
                                   "SA-2026-0001: the party's signature (Anne Ås) is missing"});
}

TEST_CASE("one case file per case, when configured, still follows the schema", "[archive]") {
    ArchiveFixture f;
    Settings settings = test::onDatabase(f.database);
    settings.archiveCaseFilePerCase = true;
    const auto r = Installation(f.data, f.clock, settings)
                       .records().archive(kTester, kNetwork, f.out, "", false);
    const std::string xml = test::readFile(r.packageDir + "/arkivstruktur.xml");
    CHECK(test::countLines(xml, "<mappe xsi:type=\"saksmappe\">") == 3);
    CHECK(xml.find("<tittel>Funksjonsbeskrivelse for ressurssykepleier FB-2026-0002</tittel>") !=
          std::string::npos);
    CHECK(test::runTool("xmllint --noout --schema '" + kSchemaDir + "/arkivstruktur.xsd' '" +
                        r.packageDir + "/arkivstruktur.xml'")
              .exitCode == 0);
}

TEST_CASE("a package carries the six shipped Noark 5 schemas, and the audit needs no schema folder",
          "[archive]") {
    ArchiveFixture f;
    const std::string pkg = f.package();
    for (const auto& [name, text] : archive::noark5Schemas()) {
        INFO(name);
        CHECK(test::readFile(pkg + "/" + name) == text);
    }
    CHECK(archive::noark5Schemas().size() == 6);
    // The same package audits clean against the project's copy given as a folder.
    CHECK(archive::auditPackage(pkg, archive::readSchemaFolder(kSchemaDir)).empty());

    // arkivstruktur.xml changed against the schema, every checksum made to match: the schema
    // check finds it, and the manifest's signature no longer matches.
    std::string xml = test::readFile(pkg + "/arkivstruktur.xml");
    const auto at = xml.find("<arkivskaperNavn>");
    REQUIRE(at != std::string::npos);
    xml.replace(at, 17, "<arkivskaperNamn>");
    xml.replace(xml.find("</arkivskaperNavn>"), 18, "</arkivskaperNamn>");
    test::writeFile(pkg + "/arkivstruktur.xml", xml);
    const std::string sha = sha256Hex(xml);
    std::string addml = test::readFile(pkg + "/arkivuttrekk.xml");
    std::string manifest = test::readFile(pkg + "/manifest.sha256");
    const std::string oldSha = manifest.substr(0, 64);
    addml.replace(addml.find(oldSha), 64, sha);
    test::writeFile(pkg + "/arkivuttrekk.xml", addml);
    manifest.replace(0, 64, sha);
    const std::string addmlLine = "  arkivuttrekk.xml\n";
    const auto addmlAt = manifest.find(addmlLine);
    manifest.replace(addmlAt - 64, 64, sha256Hex(addml));
    test::writeFile(pkg + "/manifest.sha256", manifest);
    const auto lines = f.findings(pkg);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].find("arkivstruktur.xml: arkivstruktur.xml:") == 0);
    CHECK(lines[0].find("arkivskaperNamn': This element is not expected.") != std::string::npos);
    CHECK(lines[1].find("manifest.sha256.p7s: the manifest's signature is not valid") == 0);
}

TEST_CASE("archive with another schema folder copies it in and validates against it", "[archive]") {
    ArchiveFixture f;
    const std::string folder = f.dir.file("andre-skjema");
    REQUIRE(test::runTool("cp -r '" + kSchemaDir + "' '" + folder + "'").exitCode == 0);

    SECTION("a folder without arkivstruktur.xsd is refused, nothing archived") {
        Poco::File(folder + "/arkivstruktur.xsd").remove();
        CHECK_THROWS_WITH(f.open().records().archive(kTester, kNetwork, f.out, folder, false),
                          folder + ": no arkivstruktur.xsd in the schema folder");
        CHECK(f.open().cases().details("FB-2026-0001").c.state == "signed");
        CHECK(test::runTool("ls -A '" + f.out + "'").out.empty());
    }
    SECTION("a schema the package does not follow stops the archive, nothing archived") {
        std::string xsd = test::readFile(folder + "/arkivstruktur.xsd");
        const auto root = xsd.find("<xs:element name=\"arkiv\" ");
        REQUIRE(root != std::string::npos);
        xsd.replace(root, 25, "<xs:element name=\"arkivet\" ");
        test::writeFile(folder + "/arkivstruktur.xsd", xsd);
        CHECK_THROWS_WITH(
            f.open().records().archive(kTester, kNetwork, f.out, folder, false),
            Catch::StartsWith("the package does not follow the Noark 5 schema; nothing was "
                              "archived:\narkivstruktur.xml:2: xml: Element "
                              "'{http://www.arkivverket.no/standarder/noark5/arkivstruktur}arkiv'"
                              ": No matching global declaration available for the validation "
                              "root."));
        CHECK(f.open().cases().details("FB-2026-0001").c.state == "signed");
        CHECK(test::runTool("ls -A '" + f.out + "'").out.empty());
    }
    SECTION("the folder's schemas go into the package") {
        test::writeFile(folder + "/arkivstruktur.xsd",
                        test::readFile(folder + "/arkivstruktur.xsd") + "<!-- lokal kopi -->\n");
        const auto r = f.open().records().archive(kTester, kNetwork, f.out, folder, false);
        CHECK(test::readFile(r.packageDir + "/arkivstruktur.xsd") ==
              test::readFile(folder + "/arkivstruktur.xsd"));
        CHECK(archive::auditPackage(r.packageDir, archive::noark5Schemas()).empty());
    }
}
