#pragma once
// A horizontal stacked bar chart, drawn by the project: as SVG for HTML pages, and with the same
// geometry into PDFs (PdfOptions::chart). One bar per row, one segment per series.

#include <string>
#include <vector>

namespace avtaleflyt::documents {

struct BarChart {
    std::string title;
    std::vector<std::string> series;  // legend labels, in order (at most 4: green, amber, red, grey)
    struct Row {
        std::string label;
        std::vector<int> values;  // one per series
    };
    std::vector<Row> rows;
};

// Where each piece goes, in points from the top left, shared by SVG and PDF.
struct ChartGeometry {
    struct Box {
        double x, y, width, height;
        int series;  // -1: none (text only)
        std::string text;
        bool rightAligned = false;
    };
    double width = 0, height = 0;
    std::vector<Box> bars;    // segments and legend swatches
    std::vector<Box> labels;  // row labels, totals, legend texts
};

ChartGeometry layOut(const BarChart& chart, double width);
// "#2e7d32" and so on, for series `i`.
const char* seriesColour(int i);
// An inline <svg> element with role="img" and a <title>; every text escaped.
std::string chartSvg(const BarChart& chart, double width = 640);

}  // namespace avtaleflyt::documents
