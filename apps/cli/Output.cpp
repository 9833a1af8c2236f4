#include "Output.h"

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::cli {

void printTable(std::ostream& out, const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths(headers.size(), 0);
    const auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], text::displayWidth(row[i]));
    };
    measure(headers);
    for (const auto& r : rows) measure(r);
    const auto line = [&](const std::vector<std::string>& row) {
        std::string s;
        for (std::size_t i = 0; i < widths.size(); ++i) {
            const std::string cell = i < row.size() ? row[i] : "";
            s += i + 1 == widths.size() ? cell : text::padRight(cell, widths[i]) + "  ";
        }
        out << s << '\n';
    };
    line(headers);
    std::size_t total = 0;
    for (const auto w : widths) total += w + 2;
    out << std::string(total > 2 ? total - 2 : 0, '-') << '\n';
    for (const auto& r : rows) line(r);
}

}  // namespace avtaleflyt::cli
