#pragma once
// The records: archive packages for the records system, the printed batch for area gatherings, the
// records system's numbers, and the audit of the archive and of the audit log itself.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "avtaleflyt/domain/CaseMachine.h"
#include "avtaleflyt/engine/Basics.h"

namespace avtaleflyt::engine {

class Core;  // engine-private: what the services share (engine/src/Core.h)

struct AuditCheck {
    std::int64_t eventsChecked = 0;
    std::string headHash;
    std::optional<std::int64_t> firstBadSeq;
    std::string problem;
};
// The newest event of the audit log, as `log head` exports it and each archive package keeps it
// (audit-log-head.txt): one line "SEQ HASH".
struct AuditLogHead {
    std::int64_t seq = 0;
    std::string hash;
    std::string text() const { return std::to_string(seq) + " " + hash; }
    // The head in `text` ("SEQ HASH", surrounding white space ignored), if it is one.
    static std::optional<AuditLogHead> parse(const std::string& text);
};
struct ArchiveReport {
    std::vector<std::string> references;  // the cases archived (or that would be)
    std::string packageDir;               // where the package was written; empty on a dry run
};
struct PrintBatch {
    std::vector<std::string> references;
    std::string pdf;
};

struct SealCheck {
    bool sealed = false;         // the PDF carries a signature
    bool valid = false;          // its digest and signature are right
    bool wholeDocument = false;  // the signed byte range covers the whole file
    std::string signer;          // the certificate's common name
    std::string subFilter;
    std::string problem;  // why it is not valid
};
struct Finding {
    std::string where;  // a file of the package, or the case
    std::string what;
};
// A schema file avtaleflyt ships (archive/schemas/SOURCE.md).
struct ShippedSchema {
    std::string set;   // the folder it is exported to: noark5, arkivmelding
    std::string file;  // e.g. arkivstruktur.xsd
    std::size_t bytes = 0;
    std::string sha256;  // lower-case hex
};
// An XML file checked against the shipped schema for its root element's namespace.
struct XmlCheck {
    std::string set, schema;  // the schema chosen ("Noark 5", "arkivstruktur.xsd"), if one was
    std::vector<std::string> problems;  // "FILE:LINE: xml: message" and the like; none: valid
};

class Records {
  public:
    explicit Records(Core& core) : core_(core) {}

    // Archives every signed case of the network with its final sealed PDF: one package in
    // `outDir` (empty: DATA/archive; see archive/Package.h) with the Noark 5 schemas, validated
    // against them (the shipped ones, or the *.xsd of `schemasDir` if given), and the cases moved
    // to archived, all or nothing. Throws EngineError.
    ArchiveReport archive(const Actor& by, const std::string& network, const std::string& outDir,
                          const std::string& schemasDir, bool dryRun) const;

    // Records the records system's document number on an archived case (an audit event).
    // Throws EngineError for a case that is not archived or an empty number.
    Case setRecordsReference(const Actor& by, const std::string& reference,
                             const std::string& recordsReference) const;

    // The area's archived originals not printed before, as one PDF for the next area gathering,
    // written to `outPath` (atomically) before they are marked printed (one audit event each,
    // only if `markPrinted`). No references: nothing new, nothing written.
    PrintBatch printBatch(const Actor& by, const std::string& network, const std::string& area,
                          const std::string& outPath, bool markPrinted) const;

    // Checks every archived case of the installation against its records: its final document is
    // stored and its seal valid, every signature is there and dated no later than the deadline,
    // and the audit log holds its archive event. One line per finding: "REF: what".
    std::vector<std::string> auditArchivedCases() const;

    // Replays the audit log against the tables (Reconcile.cpp): each case's state, version and
    // signatures as its last event left them, each stored document's content against its
    // checksum and the checksum against its case.document_stored event, each used link still
    // used, each signature's evidence as its case.link_used event hashed it. Cases opened
    // before the log kept what it stored are checked by their chain only. One line per
    // finding: "WHERE: what".
    std::vector<std::string> reconcileWithLog() const;

    // Checks a package against what this installation's audit log recorded when it wrote it
    // (its archive.package_written event: the manifest, file by file) and the audit-log head
    // the package keeps against the log. Findings as auditPackages gives them.
    std::vector<Finding> auditPackageAgainstLog(const std::string& packageDir) const;

    // The SHA-256 of the installation's seal certificate (what signs packages' manifests).
    // Throws EngineError when the seal cannot be loaded.
    std::string sealCertificateSha256() const;
    // The same of the PEM certificate at `path`. Throws EngineError naming the file.
    static std::string certificateSha256(const std::string& path);

    // The audit log's newest event, and whether a head kept elsewhere is still in the log as it
    // was: the event SEQ is there with that hash. Empty when it is, else why not. Whether the
    // chain up to it holds is verifyAuditLog's (every caller runs it once beside this, so the
    // log is not walked again per package).
    AuditLogHead auditLogHead() const;
    std::string checkAuditLogHead(const AuditLogHead& kept) const;

    // --- Checks that need no installation (Checks.cpp) ---

    // Checks the last seal of a PDF without trusting any certificate chain: the digest of the
    // signed byte ranges against the signature, and the signature against its certificate.
    static SealCheck checkSeal(const std::string& pdf);
    // Checks archive packages on their own (archive/Package.h's auditPackage): one list of
    // findings per folder of `packageDirs`, in order, each sorted by where, then what; against
    // the *.xsd of `schemasDir`, or the shipped Noark 5 schemas when it is empty. `progress`, if
    // set, is called now and then with the package, the files checked so far and the total.
    // Throws EngineError when `schemasDir` is not a folder or holds no arkivstruktur.xsd.
    // `sealCertificateSha256`, if given, is the certificate the manifests' signatures must be
    // made with (else any valid signature passes: see docs/archive.md).
    static std::vector<std::vector<Finding>> auditPackages(
        const std::vector<std::string>& packageDirs, const std::string& schemasDir,
        const std::function<void(const std::string& dir, std::size_t done, std::size_t total)>&
            progress = {},
        const std::string& sealCertificateSha256 = "");
    // The hidden temporary folders a stopped archive run left in `archiveDir` (full paths).
    static std::vector<std::string> leftoverTemporaryFolders(const std::string& archiveDir);
    // The schemas avtaleflyt ships: the Noark 5 set, then arkivmelding, each file by name.
    static std::vector<ShippedSchema> shippedSchemas();
    // Writes the shipped schemas to DIR/noark5 and DIR/arkivmelding (made where missing).
    // Throws a std::exception naming the folder or file that cannot be written.
    static void exportSchemas(const std::string& dir);
    // Checks the XML file at `path` against the shipped schema its root element's namespace
    // names. A problem "PATH: no such file", "PATH:1: xml: not well-formed XML" or "PATH: no
    // shipped schema for its root element's namespace "NS"" when it cannot be checked.
    static XmlCheck checkXmlFile(const std::string& path);

    AuditCheck verifyAuditLog() const;
    std::vector<AuditEventView> auditEvents(std::int64_t after, std::size_t limit) const;

  private:
    Core& core_;
};

}  // namespace avtaleflyt::engine
