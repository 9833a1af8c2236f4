#pragma once
// Reading XML that must follow an XML Schema (workflow definitions, templates, archive
// packages): libxml2 with the network off, every problem collected with its line.

#include <libxml/tree.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "avtaleflyt/domain/Table.h"

struct _xmlSchema;

namespace avtaleflyt::documents {

using XmlDocument = std::unique_ptr<xmlDoc, void (*)(xmlDoc*)>;

// Schema files by name ({"arkivstruktur.xsd", text}, ...) that import one another by file name
// (schemaLocation="metadatakatalog.xsd").
using SchemaFiles = std::vector<std::pair<std::string, std::string>>;

// While it lives, libxml2's errors on this thread are dropped instead of written to standard
// error, where some go whatever the parser's options (a failed encoding conversion, say). For
// readers whose caller reports a failure its own way; the handler before is restored after.
class QuietXmlErrors {
  public:
    QuietXmlErrors();
    ~QuietXmlErrors();
    QuietXmlErrors(const QuietXmlErrors&) = delete;
    QuietXmlErrors& operator=(const QuietXmlErrors&) = delete;

  private:
    void (*handler_)(void*, xmlError*);
    void* context_;
};

class SchemaError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A compiled XML Schema. Immutable: validating against it from several threads at once is safe.
class CompiledSchema {
  public:
    explicit CompiledSchema(_xmlSchema* schema);  // takes ownership
    ~CompiledSchema();
    CompiledSchema(const CompiledSchema&) = delete;
    CompiledSchema& operator=(const CompiledSchema&) = delete;

    // Problems of `xml` (in memory) as {source, line, "xml", libxml2's message}; none if valid.
    std::vector<InputProblem> validate(const std::string& xml, const std::string& source) const;
    // The same for a parsed document.
    std::vector<InputProblem> validate(const xmlDoc& doc, const std::string& source) const;
    // The same for the file at `path`, streamed (files of any size), named `source`.
    std::vector<InputProblem> validateFile(const std::string& path,
                                           const std::string& source) const;

  private:
    _xmlSchema* schema_;
};

// Compiles `main` of `files` in memory: its imports resolve to the other files of the set by
// name, never to the disk or the network. Compiled once per process for each distinct set (the
// result is cached). Throws SchemaError naming the file when a file is missing or does not compile.
std::shared_ptr<const CompiledSchema> compileSchema(const SchemaFiles& files,
                                                    const std::string& main);

// Parses `xml` (the network off, no entities loaded). Returns the document, or null with a
// problem (its line) added to `problems`.
XmlDocument parseXml(const std::string& xml, const std::string& source,
                     std::vector<InputProblem>& problems);

// Parses `xml` and validates it against the schema `xsd` (the text of a schema that imports
// nothing; compiled once per distinct text). Returns the document, or null with `problems` filled as
// {source, line, "xml", libxml2's message}.
XmlDocument parseValidated(const std::string& xml, const std::string& source,
                           const std::string& xsd, std::vector<InputProblem>& problems);

// Helpers for reading a validated document.
bool isElement(const xmlNode* n, const char* localName);
std::string attribute(const xmlNode* n, const char* name, const std::string& fallback = "");
std::string textContent(const xmlNode* n);
const xmlNode* firstChild(const xmlNode* parent, const char* localName);

// "SOURCE:LINE: field: cause" lines, one per problem.
std::string describeProblems(const std::vector<InputProblem>& problems);

}  // namespace avtaleflyt::documents
