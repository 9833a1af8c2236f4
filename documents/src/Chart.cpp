#include "avtaleflyt/documents/Chart.h"

#include <algorithm>
#include <cstdio>

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::documents {
namespace {

constexpr double kLabelWidth = 150, kTotalWidth = 40, kBarHeight = 16, kRowGap = 8;
constexpr double kLegendHeight = 24, kTitleHeight = 22;

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

}  // namespace

const char* seriesColour(int i) {
    static const char* colours[] = {"#2e7d32", "#f9a825", "#c62828", "#9e9e9e"};
    return colours[std::clamp(i, 0, 3)];
}

ChartGeometry layOut(const BarChart& chart, double width) {
    ChartGeometry g;
    g.width = width;
    int largest = 1;
    for (const auto& row : chart.rows) {
        int total = 0;
        for (const int v : row.values) total += v;
        largest = std::max(largest, total);
    }
    const double barSpace = std::max(50.0, width - kLabelWidth - kTotalWidth);
    double y = kTitleHeight;
    for (const auto& row : chart.rows) {
        g.labels.push_back({0, y, kLabelWidth - 8, kBarHeight, -1, row.label, false});
        double x = kLabelWidth;
        int total = 0;
        for (std::size_t s = 0; s < row.values.size(); ++s) {
            const double w = barSpace * row.values[s] / largest;
            if (row.values[s] > 0)
                g.bars.push_back({x, y, w, kBarHeight, static_cast<int>(s),
                                  std::to_string(row.values[s]), false});
            x += w;
            total += row.values[s];
        }
        g.labels.push_back({x + 4, y, kTotalWidth, kBarHeight, -1, std::to_string(total), false});
        y += kBarHeight + kRowGap;
    }
    double x = 0;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
        g.bars.push_back({x, y + 4, 10, 10, static_cast<int>(s), "", false});
        g.labels.push_back({x + 14, y + 2, 120, 14, -1, chart.series[s], false});
        x += 24 + 7.0 * static_cast<double>(chart.series[s].size());
    }
    g.height = y + kLegendHeight;
    return g;
}

std::string chartSvg(const BarChart& chart, double width) {
    const ChartGeometry g = layOut(chart, width);
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" +
                      number(g.width) + "\" height=\"" + number(g.height) + "\" viewBox=\"0 0 " +
                      number(g.width) + " " + number(g.height) +
                      "\" font-family=\"sans-serif\" font-size=\"12\"><title>" +
                      text::escapeXml(chart.title) + "</title><text x=\"0\" y=\"14\" "
                      "font-weight=\"bold\">" + text::escapeXml(chart.title) + "</text>";
    for (const auto& b : g.bars) {
        svg += "<rect x=\"" + number(b.x) + "\" y=\"" + number(b.y) + "\" width=\"" +
               number(b.width) + "\" height=\"" + number(b.height) + "\" fill=\"" +
               seriesColour(b.series) + "\">";
        if (!b.text.empty())
            svg += "<title>" + text::escapeXml(chart.series.at(static_cast<std::size_t>(b.series)) +
                                               ": " + b.text) + "</title>";
        svg += "</rect>";
    }
    for (const auto& l : g.labels)
        svg += "<text x=\"" + number(l.x) + "\" y=\"" + number(l.y + l.height - 4) + "\">" +
               text::escapeXml(l.text) + "</text>";
    return svg + "</svg>";
}

}  // namespace avtaleflyt::documents
