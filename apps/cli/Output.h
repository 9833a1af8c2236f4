#pragma once
// How commands print: plain text tables, and the machine-readable form every listing command
// offers with --format json (docs/json-output.md). One --format option, one check of it, one
// JSON writer, so every command spells and escapes the same way.

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "CommandLine.h"
#include "avtaleflyt/domain/Clock.h"

namespace avtaleflyt::cli {

// A plain text table: a header line, a rule, the rows; columns padded to their widest cell.
void printTable(std::ostream& out, const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);

// --- --format -------------------------------------------------------------------------------

// The formats a command writes, its default first.
using Formats = std::vector<std::string>;
const Formats& tableOrJson();  // {"table", "json"}: what most listing commands offer

// The --format option of a command writing `formats`; its help names them ("table (default),
// csv or json (json: docs/json-output.md)"), followed by `note` if given ("...; csv: the open
// requests only").
OptionSpec formatOption(const Formats& formats, const std::string& note = "");

// The format asked for with --format, else the default. Throws UsageError
// `unknown format "X" (use table, csv or json)` for any other. Call it before anything else
// the command does, so a wrong format changes nothing.
std::string chosenFormat(const Invocation& inv, const Formats& formats);

// --- JSON -----------------------------------------------------------------------------------
// Documents are built from Poco::JSON objects and arrays and written by Poco's stringifier, so
// strings are escaped as JSON wants. Keys are snake_case; absent values are null.
namespace json {

using Poco::Dynamic::Var;
using ObjectPtr = Poco::JSON::Object::Ptr;
using ArrayPtr = Poco::JSON::Array::Ptr;

ObjectPtr object();  // an empty object that keeps its keys in the order they are set
ArrayPtr array();
ArrayPtr strings(const std::vector<std::string>& values);

Var null();
// The text, or null when it is empty.
Var text(const std::string& value);
// A timestamp as ISO 8601 UTC ("2026-11-02T09:00:00Z"); null when empty or absent. Text that
// is no timestamp is given as it is.
Var timestamp(const std::string& value);
Var timestamp(const std::optional<Timestamp>& value);
// A date, "2026-11-02"; null when empty or absent.
Var date(const std::string& value);
Var date(const std::optional<Timestamp>& value);
// JSON text (e.g. an audit event's payload) as the value it holds; text that is not JSON is
// given as a string, empty text as null.
Var parsed(const std::string& jsonText);

// The document as JSON text: indented by two spaces, ending with a newline.
std::string toText(const Var& document);
// Writes the document to `out` as toText does: the only thing a command in JSON mode prints
// on standard output.
void print(std::ostream& out, const Var& document);

// A document {"...": ..., "KEY": [...], "...": ...} written while its one long array grows, for a
// listing that is never held whole: the members before the array, each element as it comes,
// then the members after it. The text is what print() writes for the whole document.
class StreamedList {
  public:
    StreamedList(std::ostream& out, const ObjectPtr& before, const std::string& key);
    void add(const Var& element);
    void finish(const ObjectPtr& after);

  private:
    std::ostream& out_;
    bool empty_ = true;
};

}  // namespace json

}  // namespace avtaleflyt::cli
