// What the audit finds that the hash chain alone cannot: tables edited behind the log's back,
// and archive packages edited and hashed again (issue 14, items 4 and 6). Each test tampers as
// an attacker with the database or the folder would, then asks the audit.
#include <catch2/catch.hpp>

#include <Poco/File.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "SmallNetwork.h"
#include "TestSettings.h"
#include "TestSupport.h"
#include "Tester.h"
#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/engine/Installation.h"

using namespace avtaleflyt;
using namespace avtaleflyt::engine;
using test::kTester;

namespace {

const std::string kNetwork = "Nettverk Test";

// The small network (two function descriptions sent); FB-2026-0002 signed by its nurse through
// her link, FB-2026-0001 signed by both on paper, with a scan.
struct Tampering {
    test::TempDir dir;
    FixedClock clock{*parseTimestamp("2026-11-02T09:00:00Z")};
    std::string data = dir.file("data");
    std::string database = test::newDatabase();
    Settings settings = test::onDatabase(database);
    std::string db = test::databaseOf(data, database);

    Tampering() {
        Installation::init(data, clock, kTester, database);
        auto inst = open();
        test::seedSmallNetwork(inst, kNetwork, dir.file("liste.csv"));
        const auto mime = test::querySql(
            db,
            "SELECT o.mime FROM outbox o JOIN case_file c ON c.id = o.case_id "
            "WHERE c.reference = 'FB-2026-0002' AND o.kind = 'sign' AND o.recipient = "
            "'kari@frogn.example'");
        const auto signedOut =
            inst.signing().sign(test::signingTokenIn(mime), "192.0.2.7", "TestBrowser/1.0");
        REQUIRE(signedOut.status == SigningView::Status::Open);  // it was open, and is signed
        REQUIRE(signedOut.refusal.empty());
        test::writeFile(dir.file("skann.pdf"),
                        inst.cases().renderCase("FB-2026-0001", false, false));
        for (const char* role : {"nurse", "leader"})
            REQUIRE(inst.cases()
                        .registerPaperSignature(kTester, "FB-2026-0001", role,
                                                dir.file("skann.pdf"), "2026-11-01")
                        .done);
    }
    Installation open() { return Installation(data, clock, settings); }
    std::vector<std::string> findings() { return open().records().reconcileWithLog(); }
    // The findings that begin with `prefix`.
    std::vector<std::string> findingsAbout(const std::string& prefix) {
        std::vector<std::string> out;
        for (auto& f : findings())
            if (f.rfind(prefix, 0) == 0)
                out.push_back(std::move(f));
        return out;
    }
};

bool anyContains(const std::vector<std::string>& lines, const std::string& needle) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

}  // namespace

TEST_CASE("an installation used as intended reconciles with its audit log", "[audit][reconcile]") {
    Tampering t;
    CHECK(t.findings().empty());
    CHECK(t.open().records().verifyAuditLog().firstBadSeq == std::nullopt);
}

TEST_CASE("a signature set to signed in the table is found by the audit", "[audit][reconcile]") {
    Tampering t;
    test::execSql(t.db,
                  "UPDATE signature_request SET status = 'signed', method = 'link', "
                  "signed_at = '2026-11-02T09:00:00Z' WHERE role = 'leader' AND case_id = "
                  "(SELECT id FROM case_file WHERE reference = 'FB-2026-0002')");
    const auto found = t.findingsAbout("FB-2026-0002: the case table says");
    REQUIRE(found.size() == 1);
    CHECK(found[0].find("leader tor@frogn.example=signed") != std::string::npos);
    CHECK(found[0].find("but its last audit event") != std::string::npos);
}

TEST_CASE("a case moved to signed in the table is found by the audit", "[audit][reconcile]") {
    Tampering t;
    test::execSql(t.db, "UPDATE case_file SET state = 'signed' WHERE reference = 'FB-2026-0002'");
    const auto found = t.findingsAbout("FB-2026-0002: the case table says");
    REQUIRE(found.size() == 1);
    CHECK(found[0].find("state=signed") != std::string::npos);
    CHECK(found[0].find("left \"state=partially_signed") != std::string::npos);
}

TEST_CASE("forged evidence of a link signature is found by the audit", "[audit][reconcile]") {
    Tampering t;
    test::execSql(t.db, "UPDATE signature_evidence SET ip_address = '198.51.100.1'");
    CHECK(t.findingsAbout("FB-2026-0002: ") ==
          std::vector<std::string>{
              "FB-2026-0002: the evidence of a link signature differs from what its audit "
              "event (" +
              test::querySql(t.db, "SELECT seq FROM audit_event WHERE kind = 'case.link_used'") +
              ") recorded"});
}

TEST_CASE("a final document's content replaced in the table is found by the audit",
          "[audit][reconcile]") {
    Tampering t;
    const std::string other = t.open().cases().renderCase("FB-2026-0002", true, true);
    SECTION("with its checksum column left as it was") {
        test::execSql(t.db, "UPDATE case_document SET content = X'255044462D312E370A' "
                            "WHERE kind = 'final'");
        CHECK(anyContains(t.findingsAbout("FB-2026-0001: "),
                          "the final document's content does not match its checksum"));
    }
    SECTION("with its checksum column computed again") {
        // Another sealed document, valid on its own: only the log knows it is not the one.
        const std::string sha = test::querySql(t.db, "SELECT sha256 FROM case_document "
                                                     "WHERE kind = 'final'");
        test::writeFile(t.dir.file("other.pdf"), other);
        const std::string otherSha =
            test::runTool("sha256sum " + t.dir.file("other.pdf")).out.substr(0, 64);
        REQUIRE(otherSha != sha);
        static const char digits[] = "0123456789abcdef";
        std::string hex;
        for (const unsigned char c : other) hex += {digits[c >> 4], digits[c & 15]};
        test::execSql(t.db, "UPDATE case_document SET content = X'" + hex + "', sha256 = '" +
                                otherSha + "' WHERE kind = 'final'");
        const auto found = t.findingsAbout("FB-2026-0001: ");
        CHECK(anyContains(found, "the final document (SHA-256 " + otherSha +
                                     ") is not the one any audit event stored"));
        CHECK(anyContains(found, "the final document the audit log stored (SHA-256 " + sha +
                                     ") is missing"));
    }
}

TEST_CASE("a used signing link made usable again is found by the audit", "[audit][reconcile]") {
    Tampering t;
    test::execSql(t.db, "UPDATE signing_token SET used_at = NULL");
    const auto found = t.findingsAbout("FB-2026-0002: the signing link used at ");
    REQUIRE(found.size() == 1);
    CHECK(found[0].find("is usable again in the link table") != std::string::npos);
}

TEST_CASE("a case inserted into the table by hand is found by the audit", "[audit][reconcile]") {
    Tampering t;
    test::execSql(t.db,
                  "INSERT INTO case_file (reference, network_id, workflow, title, state, "
                  "created_at, updated_at) SELECT 'FB-2026-0099', network_id, workflow, title, "
                  "'archived', created_at, updated_at FROM case_file WHERE reference = "
                  "'FB-2026-0001'");
    CHECK(t.findingsAbout("FB-2026-0099: ") ==
          std::vector<std::string>{
              "FB-2026-0099: in the case table, but no audit event opened it"});
}

TEST_CASE("a removed paper-signature scan is found by the audit", "[audit][reconcile]") {
    Tampering t;
    test::execSql(t.db, "DELETE FROM case_document WHERE kind = 'scan' AND id = "
                        "(SELECT MIN(id) FROM case_document WHERE kind = 'scan')");
    CHECK(anyContains(t.findingsAbout("FB-2026-0001: "),
                      "the scan document the audit log stored"));
}

// --- packages ---------------------------------------------------------------------------------

namespace {

// The two cases of Tampering, signed, archived into one package.
struct Archived : Tampering {
    std::string out = dir.file("arkiv");
    std::string pkg;

    explicit Archived(bool now = true) {
        Trigger sign;
        sign.name = "sign";
        sign.actor = ActorKind::Signer;
        sign.actorEmail = "tor@frogn.example";
        REQUIRE(open().cases().fire(kTester, "FB-2026-0002", sign).done);
        Poco::File(out).createDirectories();
        if (now)
            archiveNow();
    }
    void archiveNow() {
        const auto r = open().records().archive(kTester, kNetwork, out, "", false);
        REQUIRE(r.references.size() == 2);
        pkg = r.packageDir;
    }
    std::vector<std::string> standalone(const std::string& seal = "") {
        std::vector<std::string> lines;
        for (const auto& f : archive::auditPackage(pkg, archive::noark5Schemas(), {}, seal))
            lines.push_back(f.where + ": " + f.what);
        return lines;
    }
    std::vector<std::string> againstLog() {
        std::vector<std::string> lines;
        for (const auto& f : open().records().auditPackageAgainstLog(pkg))
            lines.push_back(f.where + ": " + f.what);
        return lines;
    }
    // What an attacker does after editing a file: every checksum the package holds computed
    // again (sjekksum, the ADDML's checksum of arkivstruktur.xml, manifest.sha256).
    void rehash() {
        std::string xml = test::readFile(pkg + "/arkivstruktur.xml");
        const std::regex object("<referanseDokumentfil>([^<]*)</referanseDokumentfil>"
                                "<sjekksum>[0-9a-f]{64}</sjekksum>");
        std::string fixed;
        auto begin = xml.cbegin();
        for (std::sregex_iterator it(xml.begin(), xml.end(), object), end; it != end; ++it) {
            fixed.append(begin, (*it)[0].first);
            const std::string file = (*it)[1];
            fixed += "<referanseDokumentfil>" + file + "</referanseDokumentfil><sjekksum>" +
                     sha256Hex(test::readFile(pkg + "/" + file)) + "</sjekksum>";
            begin = (*it)[0].second;
        }
        fixed.append(begin, xml.cend());
        test::writeFile(pkg + "/arkivstruktur.xml", fixed);
        // The ADDML's checksum of arkivstruktur.xml: the one the manifest still lists.
        const std::string listed = test::readFile(pkg + "/manifest.sha256");
        const std::string was = listed.substr(listed.find("  arkivstruktur.xml\n") - 64, 64);
        std::string addml = test::readFile(pkg + "/arkivuttrekk.xml");
        addml = std::regex_replace(addml, std::regex(was), sha256Hex(fixed));
        test::writeFile(pkg + "/arkivuttrekk.xml", addml);
        std::string manifest;
        std::istringstream lines(test::readFile(pkg + "/manifest.sha256"));
        for (std::string line; std::getline(lines, line);) {
            const std::string file = line.substr(66);
            manifest += sha256Hex(test::readFile(pkg + "/" + file)) + "  " + file + "\n";
        }
        test::writeFile(pkg + "/manifest.sha256", manifest);
    }
};

}  // namespace

TEST_CASE("a package's manifest is signed with the seal, and openssl cms -verify checks it",
          "[audit][package]") {
    Archived a;
    CHECK(a.standalone(a.open().records().sealCertificateSha256()).empty());
    CHECK(a.againstLog().empty());
    const std::string verify = "openssl cms -verify -binary -inform DER -noverify -in " + a.pkg +
                               "/manifest.sha256.p7s -content " + a.pkg +
                               "/manifest.sha256 -out /dev/null";
    CHECK(test::runTool(verify).exitCode == 0);
    test::writeFile(a.pkg + "/manifest.sha256",
                    test::readFile(a.pkg + "/manifest.sha256") + "\n");
    CHECK(test::runTool(verify).exitCode != 0);
}

TEST_CASE("an edited and re-hashed package is found by its manifest's signature and the log",
          "[audit][package]") {
    Archived a;
    SECTION("every screening removed") {
        std::string xml = test::readFile(a.pkg + "/arkivstruktur.xml");
        const auto before = xml.size();
        xml = std::regex_replace(xml, std::regex("<skjerming>[\\s\\S]*?</skjerming>"), "");
        REQUIRE(xml.size() < before);
        test::writeFile(a.pkg + "/arkivstruktur.xml", xml);
        a.rehash();
        const auto alone = a.standalone();
        CHECK(anyContains(alone, "manifest.sha256.p7s: the manifest's signature is not valid"));
        CHECK(anyContains(a.againstLog(), "arkivstruktur.xml: differs from the file written"));
    }
    SECTION("a scan swapped") {
        const std::string scan = a.pkg + "/dokumenter/FB-2026-0001-skann-1.pdf";
        REQUIRE(Poco::File(scan).exists());
        test::writeFile(scan, a.open().cases().renderCase("FB-2026-0002", false, false));
        a.rehash();
        CHECK(anyContains(a.standalone(),
                          "manifest.sha256.p7s: the manifest's signature is not valid"));
        CHECK(anyContains(a.againstLog(),
                          "dokumenter/FB-2026-0001-skann-1.pdf: differs from the file written"));
    }
    SECTION("re-hashed and signed again with another key") {
        std::string xml = test::readFile(a.pkg + "/arkivstruktur.xml");
        xml = std::regex_replace(xml, std::regex("<skjerming>[\\s\\S]*?</skjerming>"), "");
        test::writeFile(a.pkg + "/arkivstruktur.xml", xml);
        a.rehash();
        documents::SealKey::create(a.dir.file("other.crt"), a.dir.file("other.key"),
                                   "Et annet segl");
        const auto other =
            documents::SealKey::loadPem(a.dir.file("other.crt"), a.dir.file("other.key"));
        test::writeFile(a.pkg + "/manifest.sha256.p7s",
                        other.sign(test::readFile(a.pkg + "/manifest.sha256")));
        CHECK(a.standalone() == std::vector<std::string>{});  // it cannot tell whose seal is whose
        CHECK(anyContains(a.standalone(a.open().records().sealCertificateSha256()),
                          "manifest.sha256.p7s: signed by \"Et annet segl\""));
        CHECK(anyContains(a.againstLog(), "arkivstruktur.xml: differs from the file written"));
    }
}

TEST_CASE("a package keeps the audit log's head, and a rewritten log no longer holds it",
          "[audit][package]") {
    Archived a;
    const auto kept = AuditLogHead::parse(test::readFile(a.pkg + "/audit-log-head.txt"));
    REQUIRE(kept);
    CHECK(kept->seq > 0);
    CHECK(a.open().records().checkAuditLogHead(*kept).empty());
    // An attacker with the database drops the guards, cuts the log back to before the package
    // and sets the head row to match: the chain verifies again.
    test::execSql(a.db, "DROP TRIGGER audit_event_no_delete");
    test::execSql(a.db, "DELETE FROM audit_event WHERE seq >= " + std::to_string(kept->seq));
    test::execSql(a.db, "UPDATE audit_head SET seq = (SELECT MAX(seq) FROM audit_event), "
                        "hash = (SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1)");
    CHECK(a.open().records().verifyAuditLog().firstBadSeq == std::nullopt);
    CHECK(a.open().records().checkAuditLogHead(*kept).find("is no longer in the log") !=
          std::string::npos);
    // And the event that wrote the package went with the cut.
    CHECK(anyContains(a.againstLog(), "has no record of writing a package named"));
}

TEST_CASE("the audit reports a symbolic link in a package and does not follow it",
          "[audit][package]") {
    Archived a;
    test::writeFile(a.dir.file("secret.txt"), "not part of the package");
    REQUIRE(test::runTool("ln -s " + a.dir.file("secret.txt") + " " + a.pkg +
                          "/dokumenter/lenke.pdf")
                .exitCode == 0);
    const auto found = a.standalone();
    CHECK(anyContains(found, "dokumenter/lenke.pdf: a symbolic link, not a file"));
    CHECK_FALSE(anyContains(found, "dokumenter/lenke.pdf: not listed in manifest.sha256"));
}

TEST_CASE("an archive run stopped midway leaves a folder the audit reports and the next run removes",
          "[audit][package]") {
    Archived a(false);
    const std::string left = a.out + "/.avtaleflyt-20261101T090000Z.tmp";
    Poco::File(left + "/dokumenter").createDirectories();
    test::writeFile(left + "/dokumenter/FB-2026-0001.pdf", "%PDF-1.7 personal");
    CHECK(Records::leftoverTemporaryFolders(a.out) == std::vector<std::string>{left});
    a.archiveNow();
    CHECK_FALSE(Poco::File(left).exists());
    CHECK(Records::leftoverTemporaryFolders(a.out).empty());
}
