#include <array>

#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::documents {
namespace {

// The delimiter used most often outside quotes on the first line; ';' wins a tie.
char detectDelimiter(const std::string& s, std::size_t from) {
    std::array<int, 3> counts{};  // ';' ',' '\t'
    bool quoted = false;
    for (std::size_t i = from; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '"')
            quoted = !quoted;
        if (quoted)
            continue;
        if (c == '\n' || c == '\r')
            break;
        if (c == ';')
            ++counts[0];
        if (c == ',')
            ++counts[1];
        if (c == '\t')
            ++counts[2];
    }
    if (counts[1] > counts[0] && counts[1] >= counts[2])
        return ',';
    if (counts[2] > counts[0] && counts[2] > counts[1])
        return '\t';
    return ';';
}

}  // namespace

Table parseCsv(const std::string& raw, const std::string& source) {
    if (raw.size() >= 2 &&
        ((raw[0] == '\xFF' && raw[1] == '\xFE') || (raw[0] == '\xFE' && raw[1] == '\xFF')))
        throw TableFileError(source +
                             ": the file is UTF-16 (Excel's \"Unicode text\"); save it as "
                             "\"CSV UTF-8\" or as .xlsx");
    std::string s;
    if (raw.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        s = raw.substr(3);
    } else if (text::isValidUtf8(raw)) {
        s = raw;
    } else {
        s = text::windows1252ToUtf8(raw);
    }

    std::size_t pos = 0;
    int line = 1;
    char delim = 0;
    // Excel's optional first line "sep=;" names the delimiter.
    if (s.compare(0, 4, "sep=") == 0 && s.size() >= 5 &&
        (s.size() == 5 || s[5] == '\r' || s[5] == '\n')) {
        delim = s[4];
        pos = 5;
        if (pos < s.size() && s[pos] == '\r')
            ++pos;
        if (pos < s.size() && s[pos] == '\n')
            ++pos;
        line = 2;
    }
    if (!delim)
        delim = detectDelimiter(s, pos);

    Table table;
    table.source = source;
    TableRow row{line, {}};
    std::string field;
    bool fieldStarted = false;
    while (pos < s.size()) {
        const char c = s[pos];
        if (c == '"' && !fieldStarted) {
            const int startLine = line;
            ++pos;
            for (;;) {
                if (pos >= s.size())
                    throw TableFileError(source + ":" + std::to_string(startLine) +
                                         ": a quoted field is never closed (a \" is missing)");
                const char q = s[pos];
                if (q == '"') {
                    if (pos + 1 < s.size() && s[pos + 1] == '"') {
                        field += '"';
                        pos += 2;
                        continue;
                    }
                    ++pos;
                    break;
                }
                if (q == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n') {
                    ++pos;  // a CRLF inside quotes is one line break
                    continue;
                }
                if (q == '\n' || q == '\r')
                    ++line;
                field += q == '\r' ? '\n' : q;
                ++pos;
            }
            fieldStarted = true;
            continue;
        }
        if (c == delim) {
            row.cells.push_back(field);
            field.clear();
            fieldStarted = false;
            ++pos;
            continue;
        }
        if (c == '\r' || c == '\n') {
            row.cells.push_back(field);
            field.clear();
            fieldStarted = false;
            table.rows.push_back(std::move(row));
            pos += (c == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n') ? 2 : 1;
            ++line;
            row = TableRow{line, {}};
            continue;
        }
        field += c;
        if (c != ' ' && c != '\t')
            fieldStarted = true;
        ++pos;
    }
    if (fieldStarted || !field.empty() || !row.cells.empty()) {
        row.cells.push_back(field);
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::string formatCsv(const std::vector<std::vector<std::string>>& rows) {
    std::string out = "\xEF\xBB\xBF";
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i)
                out += ';';
            const std::string& f = row[i];
            if (f.find_first_of(";\",\r\n") != std::string::npos || text::trim(f) != f) {
                out += '"';
                for (const char c : f) {
                    if (c == '"')
                        out += '"';
                    out += c;
                }
                out += '"';
            } else {
                out += f;
            }
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace avtaleflyt::documents
