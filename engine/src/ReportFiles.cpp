// The outstanding-signatures report as people read it: its tables, CSV, HTML, PDF and chart.
#include <sstream>

#include "avtaleflyt/documents/Chart.h"
#include "avtaleflyt/documents/Messages.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/engine/Reports.h"

namespace avtaleflyt::engine {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::vector<std::string> split(const std::string& s, char by) {
    std::vector<std::string> out;
    std::string part;
    std::istringstream in(s);
    while (std::getline(in, part, by)) out.push_back(part);
    return out;
}

ReadableReport readableReport(const MissingReport& r, const documents::Messages& m) {
    ReadableReport t;
    t.title = m.text("report.title");
    const std::string where =
        r.area.empty() ? r.network : r.network + ", " + m.text("report.area", {r.area});
    t.subtitle = m.text("report.as-of", {where, r.asOf.substr(0, 10)});
    t.areas.title = m.text("report.areas.title");
    t.open.title = m.text("report.open.title", {std::to_string(r.open.size())});
    t.uncovered.title = m.text("report.uncovered.title", {std::to_string(r.uncovered.size())});
    t.open.header = split(m.text("report.open.columns"), ';');
    t.uncovered.header = split(m.text("report.uncovered.columns"), ';');
    t.areas.header = split(m.text("report.areas.columns"), ';');
    for (const auto& o : r.open)
        t.open.rows.push_back({o.area, o.unit, o.leaderName, o.reference, o.signerName,
                               m.text("role." + o.signerRole), o.sentAt,
                               std::to_string(o.daysOutstanding), std::to_string(o.remindersSent),
                               o.overdue ? m.text("report.overdue") : ""});
    for (const auto& u : r.uncovered)
        t.uncovered.rows.push_back(
            {u.area, u.unit, u.nurseName, u.leaderName, u.caseReference,
             u.caseReference.empty() ? m.text("report.no-case") : u.caseState});
    const auto row = [](const std::string& label, const AreaTally& a) {
        return std::vector<std::string>{label,
                                        std::to_string(a.activeNurses),
                                        std::to_string(a.signedCount),
                                        std::to_string(a.outstanding),
                                        std::to_string(a.overdue),
                                        std::to_string(a.notSent)};
    };
    for (const auto& a : r.areas) t.areas.rows.push_back(row(a.area, a));
    t.areas.rows.push_back(row(m.text("report.total"), r.total()));
    return t;
}

documents::BarChart areaChart(const std::vector<AreaTally>& areas, const documents::Messages& m) {
    documents::BarChart chart;
    chart.title = m.text("report.chart");
    chart.series = {m.text("report.series.signed"), m.text("report.series.outstanding"),
                    m.text("report.series.overdue"), m.text("report.series.not-sent")};
    for (const auto& a : areas)
        chart.rows.push_back({a.area, {a.signedCount, a.outstanding, a.overdue, a.notSent}});
    return chart;
}

std::string htmlTable(const ReportTable& table) {
    std::string html = "<table><thead><tr>";
    for (const auto& h : table.header) html += "<th scope=\"col\">" + text::escapeXml(h) + "</th>";
    html += "</tr></thead><tbody>";
    for (const auto& row : table.rows) {
        html += "<tr>";
        for (const auto& cell : row) html += "<td>" + text::escapeXml(cell) + "</td>";
        html += "</tr>";
    }
    return html + "</tbody></table>";
}

std::string html(const MissingReport& r, const documents::Messages& m,
                 const std::string& language) {
    const ReadableReport t = readableReport(r, m);
    return "<!DOCTYPE html><html lang=\"" + language +
           "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
           "content=\"width=device-width, initial-scale=1\"><title>" +
           text::escapeXml(t.title) +
           "</title><style>body{font-family:sans-serif;margin:1.5rem;color:#1a1a1a}"
           "table{border-collapse:collapse;margin:0 0 1.5rem}th,td{border:1px solid #ccc;"
           "padding:.25rem .5rem;text-align:left}th{background:#f0f0f0}svg{max-width:100%}"
           "</style></head><body><h1>" +
           text::escapeXml(t.title) + "</h1><p>" + text::escapeXml(t.subtitle) + "</p>" +
           documents::chartSvg(areaChart(r.areas, m)) + "<h2>" + text::escapeXml(t.areas.title) +
           "</h2>" + htmlTable(t.areas) + "<h2>" + text::escapeXml(t.open.title) + "</h2>" +
           htmlTable(t.open) + "<h2>" + text::escapeXml(t.uncovered.title) + "</h2>" +
           htmlTable(t.uncovered) + "</body></html>\n";
}

std::string pdf(const MissingReport& r, const documents::Messages& m, const std::string& language,
                Timestamp created) {
    const ReadableReport t = readableReport(r, m);
    FilledDocument doc;
    doc.title = t.title;
    const auto add = [&](TemplateBlock::Kind kind, const std::string& s) {
        TemplateBlock b;
        b.kind = kind;
        b.text = s;
        doc.blocks.push_back(b);
    };
    add(TemplateBlock::Kind::Paragraph, t.subtitle);
    add(TemplateBlock::Kind::Heading, t.areas.title);
    for (const auto& row : t.areas.rows) {
        std::string line = row[0] + ":";
        for (std::size_t i = 1; i < row.size(); ++i)
            line += (i == 1 ? " " : ", ") + t.areas.header[i] + " " + row[i];
        add(TemplateBlock::Kind::ListItem, line);
    }
    add(TemplateBlock::Kind::Heading, t.open.title);
    for (const auto& o : r.open)
        add(TemplateBlock::Kind::ListItem,
            m.text("report.open.line",
                   {o.area.empty() ? "–" : o.area, o.unit, o.leaderName.empty() ? "–" : o.leaderName,
                    o.reference, o.signerName,
                    m.text("role." + o.signerRole), o.sentAt, std::to_string(o.daysOutstanding),
                    std::to_string(o.remindersSent),
                    o.overdue ? ", " + m.text("report.overdue") : ""}));
    add(TemplateBlock::Kind::Heading, t.uncovered.title);
    for (const auto& u : r.uncovered)
        add(TemplateBlock::Kind::ListItem,
            m.text("report.uncovered.line",
                   {u.area, u.unit, u.nurseName, u.leaderName,
                    u.caseReference.empty() ? m.text("report.no-case")
                                            : u.caseReference + " " + u.caseState}));
    documents::PdfOptions o;
    o.language = language;
    o.networkName = r.network;
    o.caseReference = t.title;
    o.templateLabel = r.asOf.substr(0, 10);
    o.created = created;
    o.chart = areaChart(r.areas, m);
    return documents::renderPdf(doc, o);
}

}  // namespace

ReadableReport Reports::readable(const MissingReport& report, const std::string& language) {
    return readableReport(report, documents::Messages::forLanguage(language));
}

std::string Reports::file(const MissingReport& report, ReportFormat format,
                          const std::string& language, Timestamp created) {
    const auto& m = documents::Messages::forLanguage(language);
    if (format == ReportFormat::Html)
        return html(report, m, language);
    if (format == ReportFormat::Pdf)
        return pdf(report, m, language, created);
    const ReadableReport t = readableReport(report, m);
    Rows rows{t.open.header};
    rows.insert(rows.end(), t.open.rows.begin(), t.open.rows.end());
    return documents::formatCsv(rows);
}

std::string Reports::chartSvg(const std::vector<AreaTally>& areas, const std::string& language) {
    return documents::chartSvg(areaChart(areas, documents::Messages::forLanguage(language)));
}

}  // namespace avtaleflyt::engine
