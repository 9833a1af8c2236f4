#pragma once
// The records: archive packages for the records system, the printed batch for area gatherings, the
// records system's numbers, and the audit of the archive and of the audit log itself.

#include <cstdint>
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
struct ArchiveReport {
    std::vector<std::string> references;  // the cases archived (or that would be)
    std::string packageDir;               // where the package was written; empty on a dry run
};
struct PrintBatch {
    std::vector<std::string> references;
    std::string pdf;
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

    AuditCheck verifyAuditLog() const;
    std::vector<AuditEventView> auditEvents(std::int64_t after, std::size_t limit) const;

  private:
    Core& core_;
};

}  // namespace avtaleflyt::engine
