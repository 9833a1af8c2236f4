#pragma once
// Cases with their signature requests and timers, and the actions their steps queued.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "avtaleflyt/domain/CaseMachine.h"
#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/storage/Database.h"

namespace avtaleflyt::storage {

struct CaseFilter {
    std::int64_t networkId = 0;  // 0: every network
    std::string workflow;        // empty: any
    std::string state;           // empty: any
    std::string area;            // empty: any
    std::string subjectEmail;    // empty: any
};

struct QueuedAction {
    std::int64_t id = 0;
    std::string action;
    std::vector<std::string> recipients;
    std::string createdAt;
    std::string status;
};

class CaseRepository {
  public:
    explicit CaseRepository(Database& db) : db_(db) {}

    // Stores a new case with the next reference PREFIX-YEAR-NNNN of `prefix` and `year`, its
    // signature requests (their people must exist) and timers. Returns it as stored (version 1).
    // Call inside a Transaction. Throws AlreadyExists when its subject has a case of the same
    // workflow and template version in the network that is not withdrawn (the database keeps
    // that unique, whoever writes at the same time).
    Case create(const Case& c, std::int64_t networkId, const std::string& prefix, int year,
                Timestamp now);

    // The case with its signature requests and (unless `withTimers` is false: for showing it, not
    // for a step) its timers.
    std::optional<Case> find(const std::string& reference, bool withTimers = true) const;
    // The cases named (with their timers), in the order named; those that do not exist are left
    // out, one named twice comes once. Three statements for all of them.
    std::vector<Case> findMany(const std::vector<std::string>& references) const;
    std::vector<Case> list(const CaseFilter& filter) const;

    // Writes `after` over `before`, the case as read (with its timers) in this transaction, and
    // returns the case as now stored (`after` with the version bumped, as find would read it).
    // Only the rows that differ are written: a reminder touches the case row and one timer.
    // Call inside a Transaction. If the stored case is no longer at `before.version` (another
    // step came first), the transaction fails with a StorageError saying so: here, or where the
    // writes sent ahead are collected (Query::sendChanging), and nothing of it is written.
    Case update(const Case& before, const Case& after, Timestamp now);

        // `status`: "queued" for the modules that carry it out, "mailed" when done with the step.
    void queueAction(const Case& c, const StepAction& action, Timestamp now,
                     const std::string& status = "queued");
        std::vector<QueuedAction> actions(const Case& c) const;
    // Every action named `action` still queued, oldest first, with its case's reference.
    std::vector<std::pair<std::string, QueuedAction>> queuedActions(const std::string& action) const;
    void setActionStatus(std::int64_t actionId, const std::string& status);

    // Keeps a rendered PDF of the case; the newest of a kind is the current one. Returns its
    // SHA-256 (hex), as stored beside it.
    std::string storeDocument(const Case& c, const std::string& kind, const std::string& pdf,
                              Timestamp now);
    // Calls `f` with every stored document of the installation, oldest first, one at a time
    // (the content is not kept): its case, kind, the SHA-256 stored beside it and the SHA-256
    // of its content as it is now. For the audit's reconciliation with the audit log.
    struct StoredDocument {
        std::string caseReference, kind, storedSha256, contentSha256;
    };
    void forEachDocument(const std::function<void(const StoredDocument&)>& f) const;
    // The newest PDF of `kind` ("sent", "final"), if any.
    std::optional<std::string> document(const Case& c, const std::string& kind) const;
    // Every PDF of `kind`, oldest first (the scans of paper signatures).
    std::vector<std::string> documents(const Case& c, const std::string& kind) const;

    // Archived cases of the network and area not yet in a print batch, oldest first.
    std::vector<Case> unprinted(std::int64_t networkId, const std::string& area) const;
    void markPrinted(const Case& c, Timestamp now);

    // Whether `email` has a case of `workflow` version `templateVersion` in the network that
    // was not withdrawn (has one already): one indexed read.
    bool isCovered(std::int64_t networkId, const std::string& workflow, int templateVersion,
                   const std::string& email) const;

    // The tally of function descriptions per area of the network (only `area` if not empty), in
    // the network's order, every area even without nurses, as engine::MissingReport defines it:
    // each active nurse is signed (a case of `workflow` version `templateVersion` signed or
    // archived), or out for signing (the latest such case sent, partially signed or expired),
    // overdue when that case expired or has an open request sent more than `overdueDays` days
    // before `now` or past its deadline, or not sent. Only the cases of `area` count there.
    // `changesAt`: the first moment after `now` at which a case counted outstanding would count
    // overdue (sent `overdueDays` + 1 days before it, or past its deadline): until then, and
    // while nothing is written, the tally stays what it is. One query: an indexed read or two
    // per active nurse, whatever the size of the network.
    struct AreaCount {
        std::string area;
        int activeNurses = 0, signedCount = 0, outstanding = 0, overdue = 0, notSent = 0;
    };
    struct Tally {
        std::vector<AreaCount> areas;
        std::optional<Timestamp> changesAt;  // none: no case is outstanding
    };
    Tally tally(std::int64_t networkId, const std::string& area, const std::string& workflow,
                int templateVersion, Timestamp now, int overdueDays) const;
    // The `limit` open signature requests of the network (of cases in `area` if not empty)
    // waiting longest: their case sent first, first (cases sent at the same moment in the order
    // they were opened, a case's requests in the order they were made), with the whole days
    // since. Read in that order from an index: as fast for 10,000 cases as for 10.
    struct OpenRequest {
        std::string reference, area, signerName, signerRole;
        int daysOutstanding = 0;
    };
    std::vector<OpenRequest> longestOpen(std::int64_t networkId, const std::string& area,
                                         Timestamp now, std::size_t limit) const;

    // References of cases with a timer due at `now` that is not paused, soonest first.
        std::vector<std::string> withDueTimers(Timestamp now) const;
    // The next `limit` running timers of the network (in `area` if not empty), soonest first
    // (due at the same moment: by case, then by timer name): due time, case reference, name.
    std::vector<std::array<std::string, 3>> nextTimers(std::int64_t networkId,
                                                       const std::string& area,
                                                       std::size_t limit) const;

  private:
    Database& db_;
};

}  // namespace avtaleflyt::storage
