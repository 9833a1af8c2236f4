// The audit against the audit log: the tables replayed against the events that wrote them, a
// package against what was recorded when it was written, and the log's head against a copy.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>

#include <map>
#include <set>
#include <sstream>

#include "Core.h"
#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::engine {

namespace {

// An event's payload: its string fields (every payload this project writes is such an object).
std::map<std::string, std::string> fieldsOf(const std::string& payload) {
    std::map<std::string, std::string> out;
    try {
        const auto object =
            Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
        for (const auto& [key, value] : *object)
            if (value.isString())
                out[key] = value.extract<std::string>();
    } catch (const Poco::Exception&) {
        // Not an object: no fields (the chain check reports edits; this only reads).
    }
    return out;
}

// "SHA  path" lines of a manifest, by path.
std::map<std::string, std::string> manifestLines(const std::string& manifest) {
    std::map<std::string, std::string> out;
    std::istringstream in(manifest);
    for (std::string line; std::getline(in, line);)
        if (line.size() > 66 && line.compare(64, 2, "  ") == 0)
            out[line.substr(66)] = line.substr(0, 64);
    return out;
}

// What the log says of one case: the snapshot its last writing event left, the documents
// stored, and whether it was opened at all.
struct Logged {
    bool opened = false;
    std::string stored;  // caseSnapshot; empty: opened before the log kept it
    std::int64_t storedAt = 0;
    std::multiset<std::pair<std::string, std::string>> documents;  // kind, sha256
};
struct LoggedLink {
    std::string reference, usedAt;
    std::int64_t seq = 0;
};
struct LoggedEvidence {
    std::string reference, sha256;
    std::int64_t seq = 0;
};

}  // namespace

std::optional<AuditLogHead> AuditLogHead::parse(const std::string& textIn) {
    const std::string line = text::trim(textIn);
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0)
        return std::nullopt;
    const std::string seq = line.substr(0, space), hash = text::trim(line.substr(space + 1));
    if (seq.size() > 18 || seq.find_first_not_of("0123456789") != std::string::npos ||
        hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos)
        return std::nullopt;
    return AuditLogHead{std::stoll(seq), hash};
}

AuditLogHead Records::auditLogHead() const {
    return guarded([&] {
        const auto head = core_.audit.head();
        return AuditLogHead{head.seq, head.hash};
    });
}

std::string Records::checkAuditLogHead(const AuditLogHead& kept) const {
    return guarded([&]() -> std::string {
        if (kept.seq == 0)
            return kept.hash == storage::AuditLog::genesisHash()
                       ? ""
                       : "event 0 is the empty log, whose hash is 64 zeros";
        const auto events = core_.audit.list(kept.seq - 1, 1);
        if (events.empty() || events.front().seq != kept.seq)
            return "event " + std::to_string(kept.seq) +
                   " is no longer in the log: events were removed from its end";
        if (events.front().hash != kept.hash)
            return "event " + std::to_string(kept.seq) + " has the hash " + events.front().hash +
                   ", not the kept " + kept.hash + ": the log was rewritten";
        return "";
    });
}

std::string Records::sealCertificateSha256() const {
    return guarded([&] { return core_.sealKey().certificateSha256(); });
}

std::string Records::certificateSha256(const std::string& path) {
    const auto pem = documents::tryReadFile(path);
    if (!pem)
        throw EngineError(path + ": cannot read the certificate");
    try {
        return documents::certificateSha256(*pem);
    } catch (const documents::SealError& e) {
        throw EngineError(path + ": " + e.what());
    }
}

std::vector<Finding> Records::auditPackageAgainstLog(const std::string& dir) const {
    return guarded([&] {
        std::vector<Finding> findings;
        Poco::Path folder(dir);
        folder.makeDirectory();
        const std::string name = folder.depth() > 0 ? folder.directory(folder.depth() - 1) : dir;
        std::optional<storage::AuditEvent> written;
        for (auto& e : core_.audit.forSubject(name))
            if (e.kind == "archive.package_written")
                written = std::move(e);
        if (!written) {
            findings.push_back({"audit log", "this installation's audit log has no record of "
                                             "writing a package named " + name});
            return findings;
        }
        const auto recorded = fieldsOf(written->payload);
        const std::string at = " (audit event " + std::to_string(written->seq) + ")";
        const auto field = [&](const char* key) {
            const auto it = recorded.find(key);
            return it == recorded.end() ? std::string() : it->second;
        };
        const std::string base = Poco::Path(dir).makeDirectory().toString();
        const auto manifest = documents::tryReadFile(base + archive::kManifestFile);
        if (field("manifest").empty()) {
            findings.push_back({"audit log", "the event that wrote the package" + at +
                                                 " does not record its manifest"});
        } else if (manifest && sha256Hex(*manifest) != field("manifest_sha256")) {
            const auto then = manifestLines(field("manifest"));
            const auto now = manifestLines(*manifest);
            bool named = false;
            for (const auto& [path, sha] : then) {
                const auto it = now.find(path);
                if (it == now.end())
                    findings.push_back({path, "was in the package when it was written" + at +
                                                  ", its manifest no longer lists it"});
                else if (it->second != sha)
                    findings.push_back({path, "differs from the file written" + at +
                                                  ": its SHA-256 was " + sha +
                                                  ", the manifest now says " + it->second});
                else
                    continue;
                named = true;
            }
            for (const auto& [path, sha] : now)
                if (!then.count(path)) {
                    findings.push_back(
                        {path, "was not in the package when it was written" + at});
                    named = true;
                }
            if (!named)
                findings.push_back({archive::kManifestFile,
                                    "differs from the manifest written" + at});
        }
        if (const auto head = documents::tryReadFile(base + archive::kAuditLogHeadFile)) {
            const auto kept = AuditLogHead::parse(*head);
            if (!kept)
                findings.push_back({archive::kAuditLogHeadFile, "not \"SEQ HASH\""});
            else if (const std::string problem = checkAuditLogHead(*kept); !problem.empty())
                findings.push_back({archive::kAuditLogHeadFile,
                                    "the audit log no longer holds the head the package kept: " +
                                        problem});
        } else {
            findings.push_back({archive::kAuditLogHeadFile, "missing"});
        }
        std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
            return std::tie(a.where, a.what) < std::tie(b.where, b.what);
        });
        return findings;
    });
}

std::vector<std::string> Records::reconcileWithLog() const {
    return guarded([&] {
        auto& st = core_;
        std::map<std::string, Logged> cases;
        std::map<std::int64_t, LoggedLink> links;        // by link id
        std::map<std::int64_t, LoggedEvidence> evidence;  // by signature request id
        // One pass over the log, a page at a time.
        constexpr std::size_t kPage = 2048;
        for (std::int64_t after = 0;;) {
            const auto page = st.audit.list(after, kPage);
            for (const auto& e : page) {
                if (e.kind.rfind("case.", 0) != 0)
                    continue;
                Logged& logged = cases[e.subject];
                const auto f = fieldsOf(e.payload);
                if (e.kind == "case.opened")
                    logged.opened = true;
                if (const auto it = f.find("stored"); it != f.end()) {
                    logged.stored = it->second;
                    logged.storedAt = e.seq;
                }
                if (e.kind == "case.document_stored")
                    logged.documents.insert({f.count("kind") ? f.at("kind") : "",
                                             f.count("sha256") ? f.at("sha256") : ""});
                if (e.kind == "case.link_used") {
                    const auto number = [&](const char* key) -> std::int64_t {
                        const auto it = f.find(key);
                        return it == f.end() ? 0 : std::atoll(it->second.c_str());
                    };
                    links[number("link")] = {e.subject, f.count("used_at") ? f.at("used_at") : "",
                                             e.seq};
                    evidence[number("request")] = {
                        e.subject, f.count("evidence_sha256") ? f.at("evidence_sha256") : "",
                        e.seq};
                }
            }
            if (page.size() < kPage)
                break;
            after = page.back().seq;
        }

        std::vector<std::string> findings;
        // Whether the log kept what the case's events stored (cases opened before it did are
        // checked by their chain only).
        const auto replayable = [&](const std::string& reference) {
            const auto it = cases.find(reference);
            return it != cases.end() && !it->second.stored.empty();
        };
        std::map<std::int64_t, std::string> requestsOfCase;  // request id -> case reference
        for (const auto& c : st.cases.list({0, "", "", "", ""})) {
            for (const auto& r : c.signatures) requestsOfCase[r.id] = c.reference;
            const auto it = cases.find(c.reference);
            if (it == cases.end() || !it->second.opened) {
                findings.push_back(c.reference +
                                   ": in the case table, but no audit event opened it");
                continue;
            }
            if (it->second.stored.empty())
                continue;
            const std::string now = caseSnapshot(c);
            if (now != it->second.stored)
                findings.push_back(c.reference + ": the case table says \"" + now +
                                   "\", but its last audit event (" +
                                   std::to_string(it->second.storedAt) + ") left \"" +
                                   it->second.stored + "\"");
        }
        st.cases.forEachDocument([&](const storage::CaseRepository::StoredDocument& d) {
            if (d.contentSha256 != d.storedSha256) {
                findings.push_back(d.caseReference + ": the " + d.kind +
                                   " document's content does not match its checksum: it was "
                                   "replaced after it was stored");
                return;
            }
            if (!replayable(d.caseReference))
                return;
            auto& stored = cases[d.caseReference].documents;
            const auto it = stored.find({d.kind, d.storedSha256});
            if (it == stored.end())
                findings.push_back(d.caseReference + ": the " + d.kind + " document (SHA-256 " +
                                   d.storedSha256 + ") is not the one any audit event stored");
            else
                stored.erase(it);
        });
        for (const auto& [reference, logged] : cases)
            for (const auto& [kind, sha] : logged.documents)
                findings.push_back(reference + ": the " + kind + " document the audit log " +
                                   "stored (SHA-256 " + sha + ") is missing");
        const std::map<std::int64_t, std::string> uses = [&] {
            const auto all = st.tokens.uses();
            return std::map<std::int64_t, std::string>(all.begin(), all.end());
        }();
        for (const auto& [id, link] : links) {
            const auto it = uses.find(id);
            if (it == uses.end())
                findings.push_back(link.reference + ": the signing link used at " + link.usedAt +
                                   " (audit event " + std::to_string(link.seq) +
                                   ") is missing from the link table");
            else if (it->second != link.usedAt)
                findings.push_back(
                    link.reference + ": the signing link used at " + link.usedAt +
                    " (audit event " + std::to_string(link.seq) + ") is " +
                    (it->second.empty() ? std::string("usable again")
                                        : "marked used at " + it->second) +
                    " in the link table");
        }
        for (const auto& row : st.tokens.evidence()) {
            const auto it = evidence.find(row.requestId);
            const auto owner = requestsOfCase.find(row.requestId);
            const std::string reference =
                owner != requestsOfCase.end() ? owner->second
                                              : "request " + std::to_string(row.requestId);
            if (it == evidence.end()) {
                if (replayable(reference))
                    findings.push_back(reference + ": evidence of a link signature that no "
                                                   "audit event recorded");
                continue;
            }
            if (evidenceHash(row.ip, row.userAgent, row.recordedAt) != it->second.sha256)
                findings.push_back(reference + ": the evidence of a link signature differs " +
                                   "from what its audit event (" +
                                   std::to_string(it->second.seq) + ") recorded");
        }
        return findings;
    });
}

}  // namespace avtaleflyt::engine
