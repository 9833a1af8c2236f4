#pragma once
// Reading XML that must follow an XML Schema (workflow definitions, templates): libxml2 with
// the network off, every problem collected with its line.

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Table.h"

namespace avtaleflyt::documents {

using XmlDocument = std::unique_ptr<xmlDoc, void (*)(xmlDoc*)>;

// Parses `xml` and validates it against the schema `xsd` (the schema's text; compiled once per
// distinct text). Returns the document, or null with `problems` filled as
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
