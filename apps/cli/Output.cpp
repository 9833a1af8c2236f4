#include "Output.h"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <sstream>

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

// --- --format -------------------------------------------------------------------------------

namespace {

// "a", "a or b", "a, b or c"
std::string alternatives(const Formats& formats, bool markDefault) {
    std::string s;
    for (std::size_t i = 0; i < formats.size(); ++i) {
        if (i > 0)
            s += i + 1 == formats.size() ? " or " : ", ";
        s += formats[i];
        if (i == 0 && markDefault)
            s += " (default)";
    }
    return s;
}

}  // namespace

const Formats& tableOrJson() {
    static const Formats formats = {"table", "json"};
    return formats;
}

OptionSpec formatOption(const Formats& formats, const std::string& note) {
    const bool json = std::find(formats.begin(), formats.end(), "json") != formats.end();
    return {"format", "FORMAT",
            alternatives(formats, true) + (json ? " (json: docs/json-output.md)" : "") +
                (note.empty() ? "" : "; " + note),
            false};
}

std::string chosenFormat(const Invocation& inv, const Formats& formats) {
    const std::string format = inv.value("format", formats.front());
    if (std::find(formats.begin(), formats.end(), format) == formats.end())
        throw UsageError("unknown format \"" + format + "\" (use " + alternatives(formats, false) +
                         ")");
    return format;
}

// --- JSON -----------------------------------------------------------------------------------

namespace json {

ObjectPtr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

ArrayPtr array() { return new Poco::JSON::Array; }

ArrayPtr strings(const std::vector<std::string>& values) {
    ArrayPtr a = array();
    for (const auto& v : values) a->add(v);
    return a;
}

Var null() { return Var(); }

Var text(const std::string& value) { return value.empty() ? Var() : Var(value); }

Var timestamp(const std::string& value) {
    if (value.empty())
        return Var();
    const auto t = parseTimestamp(value);
    return t ? Var(formatTimestamp(*t)) : Var(value);
}

Var timestamp(const std::optional<Timestamp>& value) {
    return value ? Var(formatTimestamp(*value)) : Var();
}

Var date(const std::string& value) {
    if (value.empty())
        return Var();
    const auto t = parseTimestamp(value);
    return t ? Var(formatDate(*t)) : Var(value);
}

Var date(const std::optional<Timestamp>& value) { return value ? Var(formatDate(*value)) : Var(); }

Var parsed(const std::string& jsonText) {
    if (text::trim(jsonText).empty())
        return Var();
    try {
        Poco::JSON::Parser parser;
        return parser.parse(jsonText);
    } catch (const Poco::Exception&) {
        return Var(jsonText);
    }
}

std::string toText(const Var& document) {
    std::ostringstream s;
    Poco::JSON::Stringifier::stringify(document, s, 2);
    // Poco writes an empty array or object over lines ("[", "", "  ]"): make it "[]" or "{}".
    // A line break is never inside a string (it is escaped there), so only empty ones match.
    const std::string raw = s.str();
    std::string text;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        text += raw[i];
        if (raw[i] != '[' && raw[i] != '{')
            continue;
        const std::size_t next = raw.find_first_not_of(" \n", i + 1);
        const char close = raw[i] == '[' ? ']' : '}';
        if (next != std::string::npos && raw[next] == close &&
            raw.find('\n', i + 1) < next) {
            text += close;
            i = next;
        }
    }
    return text + '\n';
}

void print(std::ostream& out, const Var& document) { out << toText(document); }

StreamedList::StreamedList(std::ostream& out, const ObjectPtr& before, const std::string& key)
    : out_(out) {
    const std::string head = toText(before);  // "{\n  ...\n}\n", or "{}\n"
    out_ << (before->size() ? head.substr(0, head.size() - 3) + ",\n" : "{\n") << "  \"" << key
         << "\": [";  // keys are snake_case: nothing in them to escape
}

void StreamedList::add(const Var& element) {
    std::string text = toText(element);
    text.pop_back();  // the final newline
    std::string indented = "    ";
    for (const char c : text) {
        indented += c;
        if (c == '\n')
            indented += "    ";
    }
    out_ << (empty_ ? "\n" : ",\n") << indented;
    empty_ = false;
}

void StreamedList::finish(const ObjectPtr& after) {
    out_ << (empty_ ? "]" : "\n  ]");
    out_ << (after->size() ? ",\n" + toText(after).substr(2) : "\n}\n");
    out_.flush();
}

}  // namespace json

}  // namespace avtaleflyt::cli
