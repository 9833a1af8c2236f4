#pragma once
// The outstanding-signatures report: who has not signed, where, for how long; and which active
// nurses have no signed function description. Reads only.

#include <cstddef>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/engine/Basics.h"

namespace avtaleflyt::engine {

class Core;  // engine-private: what the services share (engine/src/Core.h)

// The outstanding-signatures report (Report.cpp).
struct OutstandingSignature {
    std::string area, unit, leaderName;  // of the nurse; agreements: area "", unit the party
    std::string reference, title, state;
    std::string signerName, signerRole;
    std::string sentAt, deadline;  // YYYY-MM-DD
    int daysOutstanding = 0;       // since the case was (last) sent
    int remindersSent = 0;
    bool overdue = false;  // outstanding longer than kOverdueDays, or past the deadline
};
struct CoverageGap {  // an active nurse without a signed function description of this version
    std::string area, unit, nurseName, leaderName;
    std::string caseReference, caseState;  // empty: no case was ever opened
};
// Function descriptions of the active nurses of an area; each nurse in one of the counts:
// signed; out for signing (outstanding, or overdue when waiting more than kOverdueDays or past
// the deadline); not out for signing (no case, a draft, declined or withdrawn).
struct AreaTally {
    std::string area;
    int activeNurses = 0, signedCount = 0, outstanding = 0, overdue = 0, notSent = 0;
};
struct MissingReport {
    static constexpr int kOverdueDays = 21;  // when the nearest leader is told
    std::string network, area, asOf;
    std::vector<OutstandingSignature> open;  // sorted by area, unit, leader, reference
    std::vector<CoverageGap> uncovered;      // sorted by area, unit, name
    std::vector<AreaTally> areas;            // in the network's order

    AreaTally total() const;  // the areas summed
};

// What the dashboard's overview shows: the tally per area and the requests waiting longest.
struct LongestWaiting {
    std::string reference, area, signerName, signerRole;
    int daysOutstanding = 0;  // since the case was (last) sent
};
struct Overview {
    std::string network, area, asOf;
    std::vector<AreaTally> areas;        // in the network's order, as MissingReport::areas
    std::vector<LongestWaiting> oldest;  // sent longest ago first
};

// The outstanding-signatures report as people read it, labelled from the message catalogue of
// one language (Texts.h): a title, a subtitle naming the network, the area and the date, and
// three tables, each with a title, column headings and rows of text.
struct ReportTable {
    std::string title;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};
struct ReadableReport {
    std::string title, subtitle;
    ReportTable areas;      // the tally per area, then the total
    ReportTable open;       // MissingReport::open
    ReportTable uncovered;  // MissingReport::uncovered
};
enum class ReportFormat {
    Csv,   // the open requests under a header row (Files.h's formatCsv)
    Html,  // one page: the title, the chart and the three tables
    Pdf,   // the same as a PDF/A document
};

class Reports {
  public:
    explicit Reports(Core& core) : core_(core) {}

    // Every open signature request (by area, unit and leader, with days outstanding and
    // reminders sent) and every active nurse without a signed function description of the
    // current version, in the network (or `area`), with the tally per area.
    MissingReport missingSignatures(const std::string& network, const std::string& area) const;
    // The tally and the `oldest` requests waiting longest: a few indexed queries, whatever the
    // size of the network.
    Overview overview(const std::string& network, const std::string& area,
                      std::size_t oldest) const;

    // --- Reading the reports (ReportFiles.cpp): pure functions of what they are given. ---
    static ReadableReport readable(const MissingReport& report, const std::string& language);
    // The report as a file in `language`; a PDF is dated `created` (the same report, language
    // and date give the same bytes).
    static std::string file(const MissingReport& report, ReportFormat format,
                            const std::string& language, Timestamp created);
    // The tally per area (MissingReport::areas, Overview::areas) as an inline <svg> bar chart,
    // one bar per area: signed, waiting, overdue and not out for signing, labelled in `language`.
    static std::string chartSvg(const std::vector<AreaTally>& areas, const std::string& language);

  private:
    Core& core_;
};

}  // namespace avtaleflyt::engine
