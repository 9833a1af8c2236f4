#pragma once
// The official XML schemas avtaleflyt ships, compiled into the binary byte for byte: the Noark 5
// v5.0 extraction schemas (Arkivverket) and eFormidling's arkivmelding (Digdir). Where each file
// comes from and its licence: archive/schemas/SOURCE.md.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "avtaleflyt/domain/Env.h"

namespace avtaleflyt::archive {

// Schema files by name ({"arkivstruktur.xsd", text}, ...), importing one another by name.
using SchemaFiles = std::vector<std::pair<std::string, std::string>>;

// The Noark 5 set: addml.xsd, arkivstruktur.xsd, endringslogg.xsd, loependeJournal.xsd,
// metadatakatalog.xsd, offentligJournal.xsd. Copied into every archive package.
const SchemaFiles& noark5Schemas();
// eFormidling's set: arkivmelding.xsd with its own metadatakatalog.xsd.
const SchemaFiles& arkivmeldingSchemas();

// Every *.xsd in `dir` (e.g. another version of the Noark 5 schemas), by name. Throws ArchiveError
// when `dir` is not a folder or holds no arkivstruktur.xsd. Read through `env` (default: the
// real file system).
SchemaFiles readSchemaFolder(const std::string& dir);
SchemaFiles readSchemaFolder(const std::string& dir, Env& env);

// Validates `xml` against `main` of `schemas` (its imports resolved within the set). Returns the
// problems as "SOURCE:LINE: xml: message"; none if valid. A schema that is missing from the set
// or does not compile is one problem naming it.
std::vector<std::string> validateXml(const std::string& xml, const std::string& source,
                                     const SchemaFiles& schemas, const std::string& main);
// The same for the file at `path` (streamed: any size), reported as `source`.
std::vector<std::string> validateXmlFile(const std::string& path, const std::string& source,
                                         const SchemaFiles& schemas, const std::string& main);

// One schema that applies to a document: the set ("Noark 5" or "arkivmelding"), its files, and
// the main file for the document's root namespace.
struct SchemaChoice {
    std::string set;
    const SchemaFiles* files = nullptr;
    std::string main;
};

// The shipped schema whose targetNamespace is `rootNamespace` (the namespace of a document's
// root element); nothing if none is (metadatakatalog.xsd declares types only and is never chosen).
std::optional<SchemaChoice> shippedSchemaFor(const std::string& rootNamespace);

// The namespace of the root element of the XML file at `path`, read as a stream (the rest of
// the file is not read); nothing if the file cannot be read or is not XML.
std::optional<std::string> rootNamespace(const std::string& path);

}  // namespace avtaleflyt::archive
