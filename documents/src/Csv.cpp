#include <array>
#include <optional>
#include <string_view>

#include "TableBuilder.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::documents {
namespace {

// The delimiter used most often outside quotes on the first line; ';' wins a tie.
char detectDelimiter(std::string_view s, std::size_t from) {
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

enum class Encoding { Utf8, Windows1252 };

// The length of the well-formed UTF-8 sequence at s[i], or 0 if none starts there.
std::size_t sequenceAt(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return text::isValidUtf8(s.substr(i, n)) ? n : 0;
}

// Where the first byte that is not well-formed UTF-8 is, if there is one.
std::optional<std::size_t> firstInvalidUtf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = sequenceAt(s, i);
        if (!n)
            return i;
        i += n;
    }
    return std::nullopt;
}

// UTF-8 unless the file has more stray bytes than well-formed UTF-8 letters: then it is
// Windows-1252, where every æ ø å is such a byte. A UTF-8 file with a stray byte stays UTF-8,
// so that the byte is reported where it is (not every letter of the file misread).
Encoding detectEncoding(std::string_view s) {
    std::size_t letters = 0, stray = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = sequenceAt(s, i);
        letters += n > 1;
        stray += n == 0;
        i += n ? n : 1;
    }
    return stray > letters ? Encoding::Windows1252 : Encoding::Utf8;
}

std::string byteHex(char c) {
    static const char* digits = "0123456789ABCDEF";
    const auto b = static_cast<unsigned char>(c);
    return std::string("0x") + digits[b >> 4] + digits[b & 0xF];
}

// The last few letters of well-formed UTF-8 before a place in a field, for a message: up to
// 20 bytes, control characters (C0, DEL, C1) left out.
std::string printablePrefix(std::string_view before) {
    std::size_t from = before.size() > 20 ? before.size() - 20 : 0;
    while (from < before.size() && (static_cast<unsigned char>(before[from]) & 0xC0) == 0x80)
        ++from;
    std::string out;
    for (std::size_t i = from; i < before.size();) {
        const std::size_t n = sequenceAt(before, i);
        if (!n)
            break;
        const auto c = static_cast<unsigned char>(before[i]);
        const bool control =
            (n == 1 && (c < 0x20 || c == 0x7F)) ||
            (n == 2 && c == 0xC2 && static_cast<unsigned char>(before[i + 1]) < 0xA0);
        if (!control)
            out.append(before.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace

Table parseCsv(const std::string& raw, const std::string& source) {
    if (raw.size() >= 2 &&
        ((raw[0] == '\xFF' && raw[1] == '\xFE') || (raw[0] == '\xFE' && raw[1] == '\xFF')))
        throw TableFileError(source +
                             ": the file is UTF-16 (Excel's \"Unicode text\"); save it as "
                             "\"CSV UTF-8\" or as .xlsx");
    const std::string_view s(raw);
    std::size_t pos = 0;
    Encoding encoding = Encoding::Utf8;
    if (s.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        pos = 3;
    } else {
        encoding = detectEncoding(s);
    }

    int line = 1;
    char delim = 0;
    // Excel's optional first line "sep=;" names the delimiter.
    if (s.compare(pos, 4, "sep=") == 0 && s.size() >= pos + 5 &&
        (s.size() == pos + 5 || s[pos + 5] == '\r' || s[pos + 5] == '\n')) {
        delim = s[pos + 4];
        pos += 5;
        if (pos < s.size() && s[pos] == '\r')
            ++pos;
        if (pos < s.size() && s[pos] == '\n')
            ++pos;
        line = 2;
    }
    if (!delim)
        delim = detectDelimiter(s, pos);

    int rowLine = line;
    TableBuilder table(source, [&] { return source + ":" + std::to_string(rowLine); });
    std::size_t column = 0;
    std::string field;
    bool fieldStarted = false;
    bool rowStarted = false;
    // Ends the field (and with `endOfRow` the row): converted to UTF-8 or checked to be it.
    const auto endField = [&](bool endOfRow) {
        if (!rowStarted)
            table.startRow(rowLine);
        if (encoding == Encoding::Windows1252) {
            field = text::windows1252ToUtf8(field);
        } else if (const auto bad = firstInvalidUtf8(field)) {
            table.fail("column " + std::to_string(column + 1) + ": the byte " +
                       byteHex(field[*bad]) +
                       (*bad ? " after \"" + printablePrefix(field.substr(0, *bad)) + "\"" : "") +
                       " is not UTF-8, which the rest of the file is; retype the letter there "
                       "or save the file again as \"CSV UTF-8\"");
        }
        table.cell(column++, std::move(field));
        field.clear();
        fieldStarted = false;
        rowStarted = !endOfRow;
        if (endOfRow) {
            table.endRow();
            column = 0;
        }
    };
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
            endField(false);
            ++pos;
            continue;
        }
        if (c == '\r' || c == '\n') {
            endField(true);
            pos += (c == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n') ? 2 : 1;
            ++line;
            rowLine = line;
            continue;
        }
        field += c;
        if (c != ' ' && c != '\t')
            fieldStarted = true;
        ++pos;
    }
    if (fieldStarted || !field.empty() || rowStarted)
        endField(true);
    return table.finish();
}

bool looksLikeFormula(std::string_view field) {
    return !field.empty() && std::string_view("=+-@\t\r").find(field.front()) != std::string_view::npos;
}

std::string formatCsv(const std::vector<std::vector<std::string>>& rows) {
    std::string out = "\xEF\xBB\xBF";
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i)
                out += ';';
            const std::string f = looksLikeFormula(row[i]) ? "'" + row[i] : row[i];
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
