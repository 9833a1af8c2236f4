// Archiving signed cases as one package for the records system.
#include <algorithm>
#include <map>

#include "Core.h"
#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/archive/Schemas.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::engine {

namespace {

archive::SchemaFiles readSchemaFolder(const std::string& dir, Env& env) {
    try {
        return archive::readSchemaFolder(dir, env);
    } catch (const archive::ArchiveError& e) {
        throw EngineError(e.what());
    }
}

// The package folders in `dir` that an archive wrote and did not live to record (killed between
// renaming the folder into place and committing): the audit log has no archive.package_written
// for the folder's name, and each of its documents is, byte for byte, the final document of a
// case about to be archived (`docs`: so they are still signed here). Anything else is not ours.
std::vector<std::string> unrecordedPackages(Core& st, const std::string& dir,
                                            const std::vector<archive::ArchiveDocument>& docs) {
    std::vector<std::string> found;
    if (!st.env.exists(dir))
        return found;
    std::map<std::string, const std::string*> finals;
    for (const auto& d : docs) finals[d.caseReference + ".pdf"] = d.pdf.get();
    for (const auto& name : st.env.list(dir)) {
        const std::string documents = dir + "/" + name + "/dokumenter";
        if (name.rfind("avtaleflyt-", 0) != 0 || !st.env.exists(documents))
            continue;
        const auto events = st.audit.forSubject(name);
        if (std::any_of(events.begin(), events.end(), [](const storage::AuditEvent& e) {
                return e.kind == "archive.package_written";
            }))
            continue;
        bool ours = false;
        for (const auto& file : st.env.list(documents)) {
            if (file.find("-skann-") != std::string::npos)
                continue;  // a scan goes with its case's document
            const auto kept = finals.find(file);
            ours = kept != finals.end() && st.env.readFile(documents + "/" + file) == *kept->second;
            if (!ours)
                break;
        }
        if (ours)
            found.push_back(name);
    }
    return found;
}

}  // namespace

ArchiveReport Records::archive(const Actor& by, const std::string& networkName, const std::string& outDir,
                                    const std::string& schemasDir, bool dryRun) const {
    const Acting acting(by);
    return guarded([&] {
        auto& st = core_;
        const auto network = st.networkRecord(networkName);
        storage::Transaction tx(st.db);
        std::vector<archive::ArchiveDocument> docs;
        ArchiveReport report;
        for (const auto& c : st.cases.list({network.id, "", "signed", "", ""})) {
            const auto pdf = st.cases.document(c, "final");
            if (!pdf)
                throw EngineError("case " + c.reference + " is signed but has no final document");
            const WorkflowDef& def = st.workflow(c.workflow);
            const auto screen = st.settings.archiveScreened.find(c.workflow);
            archive::ArchiveDocument d;
            d.caseReference = c.reference;
            d.workflow = c.workflow;
            d.workflowTitle = def.title;
            d.title = c.title;
            d.publicTitle = def.title + " " + c.reference;  // no names
            d.documentType = "Avtale";
            d.screened = screen != st.settings.archiveScreened.end()
                             ? screen->second
                             : c.workflow == "function-description";
            d.year = std::stoi(c.reference.substr(c.reference.find('-') + 1, 4));
            d.pdf = std::make_shared<const std::string>(*pdf);
            for (auto& scan : st.cases.documents(c, "scan"))
                d.scans.push_back(std::make_shared<const std::string>(std::move(scan)));
            docs.push_back(std::move(d));
            report.references.push_back(c.reference);
        }
        if (dryRun || docs.empty())
            return report;

        for (const auto& c : st.cases.list({network.id, "", "signed", "", ""})) {
            const auto out = st.step(c, makeTrigger("archive", ActorKind::NetworkLeader));
            if (!out.done)
                throw EngineError(out.refusal);
        }
        archive::PackageSettings ps;
        ps.creatorName = network.name;
        ps.accessCode = st.settings.archiveAccessCode;
        ps.screeningAuthority = st.settings.archiveScreeningAuthority;
        ps.format = st.settings.archiveFormat;
        ps.caseFilePerCase = st.settings.archiveCaseFilePerCase;
        // The schemas go into the package, as Arkade 5 expects them there.
        const archive::SchemaFiles schemas =
            schemasDir.empty() ? archive::noark5Schemas() : readSchemaFolder(schemasDir, st.env);
        // The package keeps the audit log's head as it was before it (a copy of the chain's head
        // outside the database), and a signature of its manifest made with the seal.
        const auto head = st.audit.head();
        archive::Package package = archive::buildPackage(
            docs, ps, st.clock.now(), schemas, AuditLogHead{head.seq, head.hash}.text());
        package.manifestSignature = st.sealKey().sign(package.manifest);
        const auto problems = archive::validateXml(package.arkivstruktur, "arkivstruktur.xml",
                                                   schemas, "arkivstruktur.xsd");
        if (!problems.empty())
            throw EngineError("the package does not follow the Noark 5 schema; nothing was archived:\n" +
                              text::join(problems, "\n"));
        const std::string dir = outDir.empty() ? st.dataDir + "/archive" : outDir;
        // Asked before this package is recorded: it may have the name of the one left.
        std::vector<std::string> unrecorded;
        try {
            unrecorded = unrecordedPackages(st, dir, docs);
        } catch (const EnvError& e) {
            throw EngineError(e.what());
        }
        // The log keeps the manifest as written: audit compares a package with it file by file.
        st.record("archive.package_written", package.name,
                  {{"documents", std::to_string(docs.size())},
                   {"arkivstruktur_sha256", sha256Hex(package.arkivstruktur)},
                   {"manifest_sha256", sha256Hex(package.manifest)},
                   {"audit_head", package.auditLogHead.substr(0, package.auditLogHead.size() - 1)},
                   {"manifest", package.manifest}});
        try {
            st.env.createDirectories(dir);
            // A package of these cases that a killed archive left unrecorded goes: they are in
            // this one, and no case may be in two.
            for (const auto& name : unrecorded) {
                st.env.remove(dir + "/" + name);
                st.record("archive.unrecorded_package_removed", name, {{"replaced_by", package.name}});
            }
            report.packageDir = archive::writePackage(package, dir, st.env);
        } catch (const std::runtime_error& e) {  // ArchiveError, EnvError
            throw EngineError(e.what());
        }
        try {
            tx.commit();
        } catch (...) {
            st.env.remove(report.packageDir);  // never a package for cases not archived
            throw;
        }
        return report;
    });
}

PrintBatch Records::printBatch(const Actor& by, const std::string& networkName,
                                                  const std::string& areaIn,
                                                  const std::string& outPath, bool markPrinted) const {
    const Acting acting(by);
    return guarded([&] {
        auto& st = core_;
        const auto network = st.networkRecord(networkName);
        const std::string area = st.area(network, areaIn);
        storage::Transaction tx(st.db);
        PrintBatch batch;
        std::vector<std::string> pdfs;
        for (const auto& c : st.cases.unprinted(network.id, area)) {
            const auto pdf = st.cases.document(c, "final");
            if (!pdf)
                continue;
            pdfs.push_back(*pdf);
            batch.references.push_back(c.reference);
            if (markPrinted) {
                st.cases.markPrinted(c, st.clock.now());
                st.record("case.printed", c.reference, {{"area", area}});
            }
        }
        if (pdfs.empty())
            return batch;
        try {
            batch.pdf = documents::mergePdfs(pdfs);
            st.env.writeFileSynced(outPath, batch.pdf);
        } catch (const std::runtime_error& e) {  // PdfError, EnvError
            throw EngineError(e.what());
        }
        tx.commit();
        return batch;
    });
}

std::vector<std::string> Records::auditArchivedCases() const {
    return guarded([&] {
        auto& st = core_;
        std::vector<std::string> findings;
        for (const auto& c : st.cases.list({0, "", "", "", ""})) {
            if (c.state != "archived" && c.state != "superseded")
                continue;
            const auto pdf = st.cases.document(c, "final");
            if (!pdf) {
                findings.push_back(c.reference + ": archived without a final document");
            } else {
                const auto seal = documents::verifySeal(*pdf);
                if (!seal.valid || !seal.wholeDocument)
                    findings.push_back(c.reference +
                                       ": the final document's seal is broken: " + seal.problem);
            }
            for (const auto& r : c.signatures) {
                if (r.status == SignatureStatus::Void)
                    continue;
                if (r.status != SignatureStatus::Signed) {
                    findings.push_back(c.reference + ": the " + r.role + "'s signature (" + r.name +
                                       ") is missing");
                } else if (c.deadline && r.signedAt.substr(0, 10) > formatDate(*c.deadline)) {
                    findings.push_back(c.reference + ": " + r.name + " signed on " +
                                       r.signedAt.substr(0, 10) + ", after the deadline " +
                                       formatDate(*c.deadline));
                }
            }
            const auto events = st.audit.forSubject(c.reference);
            if (std::none_of(events.begin(), events.end(),
                             [](const storage::AuditEvent& e) { return e.kind == "case.archive"; }))
                findings.push_back(c.reference + ": no archive event in the audit log");
        }
        return findings;
    });
}

Case Records::setRecordsReference(const Actor& by, const std::string& reference, const std::string& numberIn) const {
    const Acting acting(by);
    const std::string number = text::trim(numberIn);
    if (number.empty())
        throw EngineError("the records system's reference is empty");
    return guarded([&] {
        auto& st = core_;
        storage::Transaction tx(st.db);
        const std::optional<Case> c = st.caseNamed(reference);
        if (c->state != "archived" && c->state != "superseded")
            throw EngineError("case " + c->reference + " is " + c->state + ", not archived");
        Case after = *c;
        after.recordsReference = number;
        const Case stored = st.cases.update(*c, after, st.clock.now());
        st.recordCase("case.records_reference", stored,
                      {{"before", c->recordsReference}, {"after", number}});
        tx.commit();
        return stored;
    });
}

}  // namespace avtaleflyt::engine
