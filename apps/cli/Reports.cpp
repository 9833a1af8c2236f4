#include "Reports.h"

#include <sstream>

#include "Commands.h"
#include "Output.h"
#include "avtaleflyt/engine/Files.h"

namespace avtaleflyt::cli {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// One area's (or the total's) counts as JSON; each active nurse is in exactly one of signed,
// outstanding, overdue and not_sent.
json::ObjectPtr tallyJson(const engine::AreaTally& a, bool withArea) {
    json::ObjectPtr o = json::object();
    if (withArea)
        o->set("area", a.area);
    o->set("active_nurses", a.activeNurses);
    o->set("signed", a.signedCount);
    o->set("outstanding", a.outstanding);
    o->set("overdue", a.overdue);
    o->set("not_sent", a.notSent);
    return o;
}

json::ArrayPtr areasJson(const engine::MissingReport& r) {
    json::ArrayPtr areas = json::array();
    for (const auto& a : r.areas) areas->add(tallyJson(a, true));
    return areas;
}

// What the report and the status say first: the network, the area, when, and the counts per
// area and in all.
json::ObjectPtr reportJson(const engine::MissingReport& r) {
    json::ObjectPtr doc = json::object();
    doc->set("network", r.network);
    doc->set("area", json::text(r.area));
    doc->set("as_of", json::timestamp(r.asOf));
    doc->set("overdue_days", engine::MissingReport::kOverdueDays);
    doc->set("areas", areasJson(r));
    doc->set("total", tallyJson(r.total(), false));
    return doc;
}

// The report as JSON: the states and roles by their machine names, not translated.
std::string jsonReport(const engine::MissingReport& r) {
    json::ObjectPtr doc = reportJson(r);
    json::ArrayPtr open = json::array();
    for (const auto& o : r.open) {
        json::ObjectPtr j = json::object();
        j->set("area", json::text(o.area));
        j->set("unit", json::text(o.unit));
        j->set("leader", json::text(o.leaderName));
        j->set("reference", o.reference);
        j->set("title", o.title);
        j->set("state", o.state);
        j->set("signer", o.signerName);
        j->set("signer_role", o.signerRole);
        j->set("sent_on", json::date(o.sentAt));
        j->set("deadline", json::date(o.deadline));
        j->set("days_outstanding", o.daysOutstanding);
        j->set("reminders_sent", o.remindersSent);
        j->set("overdue", o.overdue);
        open->add(j);
    }
    doc->set("open", open);
    json::ArrayPtr uncovered = json::array();
    for (const auto& u : r.uncovered) {
        json::ObjectPtr j = json::object();
        j->set("area", u.area);
        j->set("unit", u.unit);
        j->set("nurse", u.nurseName);
        j->set("leader", json::text(u.leaderName));
        j->set("case_reference", json::text(u.caseReference));
        j->set("case_state", json::text(u.caseState));
        uncovered->add(j);
    }
    doc->set("uncovered", uncovered);
    return json::toText(doc);
}

}  // namespace

const Formats& reportFormats() {
    static const Formats formats = {"table", "csv", "html", "pdf", "json"};
    return formats;
}

int runReportMissing(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, reportFormats());
    const auto report = ctx.installation().reports().missingSignatures(ctx.network(), ctx.inv.value("area"));
    const std::string language = ctx.settings().language;
    const std::string out = ctx.inv.value("out", format == "pdf" ? "manglende-signaturer.pdf" : "");
    std::string bytes;
    if (format == "json") {
        bytes = jsonReport(report);
    } else if (format != "table") {
        const auto as = format == "csv"    ? engine::ReportFormat::Csv
                        : format == "html" ? engine::ReportFormat::Html
                                           : engine::ReportFormat::Pdf;
        bytes = engine::Reports::file(report, as, language, ctx.clock().now());
    } else {
        const auto t = engine::Reports::readable(report, language);
        std::ostringstream s;
        s << t.title << ": " << t.subtitle << "\n\n" << t.areas.title << "\n";
        printTable(s, t.areas.header, t.areas.rows);
        s << "\n" << t.open.title << "\n";
        printTable(s, t.open.header, t.open.rows);
        s << "\n" << t.uncovered.title << "\n";
        printTable(s, t.uncovered.header, t.uncovered.rows);
        bytes = s.str();
    }
    if (out.empty()) {
        ctx.out << bytes;
        return 0;
    }
    engine::writeFileAtomically(out, bytes);
    ctx.notes(out) << "Wrote " << out << ": " << report.open.size() << " open signature requests, "
            << report.uncovered.size() << " nurses without a signed function description.\n";
    return 0;
}

int runStatus(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    auto& installation = ctx.installation();
    const auto report = installation.reports().missingSignatures(ctx.network(), ctx.inv.value("area"));
    const auto queued = installation.outbox().list("queued");
    std::size_t failing = 0;
    for (const auto& m : queued) failing += !m.lastError.empty();
    if (format == "json") {
        json::ObjectPtr doc = reportJson(report);
        json::ObjectPtr mail = json::object();
        mail->set("queued", queued.size());
        mail->set("failing", failing);
        doc->set("mail", mail);
        json::print(ctx.out, doc);
        return 0;
    }
    ctx.out << report.network << " — " << report.asOf << "\n\n";
    Rows rows;
    const auto add = [&](const std::string& label, const engine::AreaTally& a) {
        const int pct = a.activeNurses ? 100 * a.signedCount / a.activeNurses : 100;
        rows.push_back({label, std::to_string(a.activeNurses), std::to_string(a.signedCount),
                        std::to_string(pct) + "%", std::to_string(a.outstanding),
                        std::to_string(a.overdue), std::to_string(a.notSent)});
    };
    for (const auto& a : report.areas) add(a.area, a);
    add("Total", report.total());
    printTable(ctx.out, {"Area", "Nurses", "Signed", "", "Waiting", "Overdue", "Not out"}, rows);
    ctx.out << "\nMail waiting to go: " << queued.size();
    if (failing > 0)
        ctx.out << " (" << failing << " failing; see 'avtaleflyt outbox list')";
    ctx.out << ".\nOverdue: waiting more than " << engine::MissingReport::kOverdueDays
            << " days or past the deadline. Details: 'avtaleflyt report missing'.\n";
    return 0;
}

}  // namespace avtaleflyt::cli
