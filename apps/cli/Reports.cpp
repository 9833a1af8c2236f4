#include "Reports.h"

#include <sstream>

#include "Commands.h"
#include "Html.h"
#include "Output.h"
#include "avtaleflyt/documents/Chart.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Messages.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::cli {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::vector<std::string> split(const std::string& s, char by) {
    std::vector<std::string> out;
    std::string part;
    std::istringstream in(s);
    while (std::getline(in, part, by)) out.push_back(part);
    return out;
}

// The report's three tables, headed from the catalogue.
struct Tables {
    std::vector<std::string> openHeader, uncoveredHeader, areasHeader;
    Rows open, uncovered, areas;
};

Tables tablesOf(const engine::MissingReport& r, const documents::Messages& m) {
    Tables t;
    t.openHeader = split(m.text("report.open.columns"), ';');
    t.uncoveredHeader = split(m.text("report.uncovered.columns"), ';');
    t.areasHeader = split(m.text("report.areas.columns"), ';');
    for (const auto& o : r.open)
        t.open.push_back({o.area, o.unit, o.leaderName, o.reference, o.signerName,
                          m.text("role." + o.signerRole), o.sentAt,
                          std::to_string(o.daysOutstanding), std::to_string(o.remindersSent),
                          o.overdue ? m.text("report.overdue") : ""});
    for (const auto& u : r.uncovered)
        t.uncovered.push_back({u.area, u.unit, u.nurseName, u.leaderName, u.caseReference,
                               u.caseReference.empty() ? m.text("report.no-case") : u.caseState});
    const auto row = [](const std::string& label, const engine::AreaTally& a) {
        return std::vector<std::string>{label,
                                        std::to_string(a.activeNurses),
                                        std::to_string(a.signedCount),
                                        std::to_string(a.outstanding),
                                        std::to_string(a.overdue),
                                        std::to_string(a.notSent)};
    };
    for (const auto& a : r.areas) t.areas.push_back(row(a.area, a));
    t.areas.push_back(row(m.text("report.total"), r.total()));
    return t;
}

std::string subtitle(const engine::MissingReport& r, const documents::Messages& m) {
    const std::string where =
        r.area.empty() ? r.network : r.network + ", " + m.text("report.area", {r.area});
    return m.text("report.as-of", {where, r.asOf.substr(0, 10)});
}

std::string htmlTable(const std::vector<std::string>& header, const Rows& rows) {
    std::string html = "<table><thead><tr>";
    for (const auto& h : header) html += "<th scope=\"col\">" + text::escapeXml(h) + "</th>";
    html += "</tr></thead><tbody>";
    for (const auto& row : rows) {
        html += "<tr>";
        for (const auto& cell : row) html += "<td>" + text::escapeXml(cell) + "</td>";
        html += "</tr>";
    }
    return html + "</tbody></table>";
}

std::string html(const engine::MissingReport& r, const documents::Messages& m,
                 const std::string& language) {
    const Tables t = tablesOf(r, m);
    return "<!DOCTYPE html><html lang=\"" + language +
           "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
           "content=\"width=device-width, initial-scale=1\"><title>" +
           text::escapeXml(m.text("report.title")) +
           "</title><style>body{font-family:sans-serif;margin:1.5rem;color:#1a1a1a}"
           "table{border-collapse:collapse;margin:0 0 1.5rem}th,td{border:1px solid #ccc;"
           "padding:.25rem .5rem;text-align:left}th{background:#f0f0f0}svg{max-width:100%}"
           "</style></head><body><h1>" +
           text::escapeXml(m.text("report.title")) + "</h1><p>" +
           text::escapeXml(subtitle(r, m)) + "</p>" + documents::chartSvg(portal::html::areaChart(r.areas, m)) +
           "<h2>" + text::escapeXml(m.text("report.areas.title")) + "</h2>" +
           htmlTable(t.areasHeader, t.areas) + "<h2>" +
           text::escapeXml(m.text("report.open.title", {std::to_string(t.open.size())})) +
           "</h2>" + htmlTable(t.openHeader, t.open) + "<h2>" +
           text::escapeXml(m.text("report.uncovered.title", {std::to_string(t.uncovered.size())})) +
           "</h2>" + htmlTable(t.uncoveredHeader, t.uncovered) + "</body></html>\n";
}

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

std::string pdf(const engine::MissingReport& r, const documents::Messages& m,
                const std::string& language, Timestamp now) {
    FilledDocument doc;
    doc.title = m.text("report.title");
    const auto add = [&](TemplateBlock::Kind kind, const std::string& s) {
        TemplateBlock b;
        b.kind = kind;
        b.text = s;
        doc.blocks.push_back(b);
    };
    add(TemplateBlock::Kind::Paragraph, subtitle(r, m));
    add(TemplateBlock::Kind::Heading, m.text("report.areas.title"));
    const Tables t = tablesOf(r, m);
    for (const auto& row : t.areas) {
        std::string line = row[0] + ":";
        for (std::size_t i = 1; i < row.size(); ++i)
            line += (i == 1 ? " " : ", ") + t.areasHeader[i] + " " + row[i];
        add(TemplateBlock::Kind::ListItem, line);
    }
    add(TemplateBlock::Kind::Heading, m.text("report.open.title", {std::to_string(r.open.size())}));
    for (const auto& o : r.open)
        add(TemplateBlock::Kind::ListItem,
            m.text("report.open.line",
                   {o.area.empty() ? "–" : o.area, o.unit, o.leaderName.empty() ? "–" : o.leaderName,
                    o.reference, o.signerName,
                    m.text("role." + o.signerRole), o.sentAt, std::to_string(o.daysOutstanding),
                    std::to_string(o.remindersSent),
                    o.overdue ? ", " + m.text("report.overdue") : ""}));
    add(TemplateBlock::Kind::Heading,
        m.text("report.uncovered.title", {std::to_string(r.uncovered.size())}));
    for (const auto& u : r.uncovered)
        add(TemplateBlock::Kind::ListItem,
            m.text("report.uncovered.line",
                   {u.area, u.unit, u.nurseName, u.leaderName,
                    u.caseReference.empty() ? m.text("report.no-case")
                                            : u.caseReference + " " + u.caseState}));
    documents::PdfOptions o;
    o.language = language;
    o.networkName = r.network;
    o.caseReference = m.text("report.title");
    o.templateLabel = r.asOf.substr(0, 10);
    o.created = now;
    o.chart = portal::html::areaChart(r.areas, m);
    return documents::renderPdf(doc, o);
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
    const auto& m = documents::Messages::forLanguage(language);
    const std::string out = ctx.inv.value("out", format == "pdf" ? "manglende-signaturer.pdf" : "");
    std::string bytes;
    if (format == "json") {
        bytes = jsonReport(report);
    } else if (format == "html") {
        bytes = html(report, m, language);
    } else if (format == "pdf") {
        bytes = pdf(report, m, language, ctx.clock().now());
    } else if (format == "csv") {
        const Tables t = tablesOf(report, m);
        Rows rows{t.openHeader};
        rows.insert(rows.end(), t.open.begin(), t.open.end());
        bytes = documents::formatCsv(rows);
    } else {
        const Tables t = tablesOf(report, m);
        std::ostringstream s;
        s << m.text("report.title") << ": " << subtitle(report, m) << "\n\n"
          << m.text("report.areas.title") << "\n";
        printTable(s, t.areasHeader, t.areas);
        s << "\n" << m.text("report.open.title", {std::to_string(t.open.size())}) << "\n";
        printTable(s, t.openHeader, t.open);
        s << "\n" << m.text("report.uncovered.title", {std::to_string(t.uncovered.size())}) << "\n";
        printTable(s, t.uncoveredHeader, t.uncovered);
        bytes = s.str();
    }
    if (out.empty()) {
        ctx.out << bytes;
        return 0;
    }
    documents::writeFileAtomically(out, bytes);
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
