// What the records and cases check without an installation (seals, archive packages, XML
// against the shipped schemas, workflow folders), and the workflow diagram.
#include <Poco/File.h>
#include <Poco/Path.h>

#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/archive/Schemas.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/engine/Cases.h"
#include "avtaleflyt/engine/Records.h"
#include "avtaleflyt/workflows/Workflows.h"

namespace avtaleflyt::engine {
namespace {

struct NamedSet {
    const char* name;  // the folder it is exported to
    const archive::SchemaFiles* files;
};

std::vector<NamedSet> shippedSets() {
    return {{"noark5", &archive::noark5Schemas()},
            {"arkivmelding", &archive::arkivmeldingSchemas()}};
}

}  // namespace

SealCheck Records::checkSeal(const std::string& pdf) {
    const auto c = documents::verifySeal(pdf);
    return {c.sealed, c.valid, c.wholeDocument, c.signer, c.subFilter, c.problem};
}

std::vector<std::vector<Finding>> Records::auditPackages(
    const std::vector<std::string>& packageDirs, const std::string& schemasDir,
    const std::function<void(const std::string&, std::size_t, std::size_t)>& progress,
    const std::string& sealCertificateSha256) {
    archive::SchemaFiles schemas;
    try {
        schemas = schemasDir.empty() ? archive::noark5Schemas()
                                     : archive::readSchemaFolder(schemasDir);
    } catch (const archive::ArchiveError& e) {
        throw EngineError(e.what());
    }
    std::vector<std::vector<Finding>> out;
    for (const auto& dir : packageDirs) {
        std::function<void(std::size_t, std::size_t)> told;
        if (progress)
            told = [&](std::size_t done, std::size_t total) { progress(dir, done, total); };
        auto& findings = out.emplace_back();
        for (auto& f : archive::auditPackage(dir, schemas, told, sealCertificateSha256))
            findings.push_back({std::move(f.where), std::move(f.what)});
    }
    return out;
}

std::vector<std::string> Records::leftoverTemporaryFolders(const std::string& archiveDir) {
    return archive::leftoverTemporaryFolders(archiveDir, documents::defaultEnv());
}

std::vector<ShippedSchema> Records::shippedSchemas() {
    std::vector<ShippedSchema> out;
    for (const auto& set : shippedSets())
        for (const auto& [name, text] : *set.files)
            out.push_back({set.name, name, text.size(), sha256Hex(text)});
    return out;
}

void Records::exportSchemas(const std::string& dir) {
    for (const auto& set : shippedSets()) {
        const std::string folder = Poco::Path(dir).append(set.name).toString();
        Poco::File(folder).createDirectories();
        for (const auto& [name, text] : *set.files)
            documents::writeFileAtomically(Poco::Path(folder).append(name).toString(), text);
    }
}

XmlCheck Records::checkXmlFile(const std::string& path) {
    XmlCheck check;
    const Poco::File file(path);
    if (!file.exists() || !file.isFile()) {
        check.problems.push_back(path + ": no such file");
        return check;
    }
    const auto ns = archive::rootNamespace(path);
    if (!ns) {
        check.problems.push_back(path + ":1: xml: not well-formed XML");
        return check;
    }
    const auto choice = archive::shippedSchemaFor(*ns);
    if (!choice) {
        check.problems.push_back(path + ": no shipped schema for its root element's namespace \"" +
                                 *ns + "\"");
        return check;
    }
    check.set = choice->set;
    check.schema = choice->main;
    check.problems = archive::validateXmlFile(path, path, *choice->files, choice->main);
    return check;
}

std::string Cases::stateDiagram(const std::string& name) const {
    return workflows::stateDiagram(workflow(name));
}

std::vector<WorkflowDef> Cases::checkWorkflowDir(const std::string& dir) {
    try {
        return workflows::loadWorkflowDir(dir);
    } catch (const workflows::WorkflowError& e) {
        throw EngineError(e.what());
    }
}

}  // namespace avtaleflyt::engine
