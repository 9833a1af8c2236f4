#pragma once
// Archive packages for the records system: the sealed PDFs, Noark 5 (v5.0) arkivstruktur.xml
// metadata and a sha256sum-compatible manifest, written atomically; and the audit of a package.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "avtaleflyt/archive/Schemas.h"
#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/domain/Env.h"

namespace avtaleflyt::archive {

class ArchiveError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// One signed document going to the archive.
struct ArchiveDocument {
    std::string caseReference;  // FB-2026-0001: also the file name and the registry entry's ID
    std::string workflow;       // function-description: one class per workflow
    std::string workflowTitle;  // Funksjonsbeskrivelse for ressurssykepleier
    std::string title;          // the case's title (may name a person)
    std::string publicTitle;    // the title with personal data removed
    std::string documentType;   // Noark dokumenttype, e.g. "Avtale"
    bool screened = false;      // exempt from public access
    int year = 0;               // the case file's year
    std::shared_ptr<const std::string> pdf;                 // the sealed PDF's bytes
    std::vector<std::shared_ptr<const std::string>> scans;  // scans of paper signatures (Vedlegg)
};

// How documents are described (docs/archive.md).
struct PackageSettings {
    std::string creatorId = "avtaleflyt";  // arkivskaperID
    std::string creatorName;               // arkivskaperNavn: the network
    std::string accessCode = "13";         // tilgangsrestriksjon for screened documents
    std::string screeningAuthority = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1";
    std::string format = "fmt/477";    // PRONOM PDF/A-2b; Arkade 5 wants "pdf"
    std::string actor = "avtaleflyt";  // opprettetAv, arkivertAv, ...
    bool caseFilePerCase = false;      // one saksmappe per case, not per workflow and year
};

struct PackageFile {
    std::string path;                    // relative to the package, '/' separated
    const std::string* bytes = nullptr;  // the document's bytes (owned by the ArchiveDocument)
    std::string sha256;                  // lower-case hex
    std::uint64_t size = 0;
};

struct Package {
    std::string name;           // the folder name: avtaleflyt-YYYYMMDDTHHMMSSZ
    std::string arkivstruktur;  // the XML
    std::string arkivuttrekk;   // the ADDML description of the package
    SchemaFiles schemas;  // file name -> text, copied in
    std::vector<PackageFile> documents;
    std::string auditLogHead;  // audit-log-head.txt: "SEQ HASH" of the audit log when written
    std::string manifest;      // "SHA256  path" lines for every file but itself and its signature
    std::string manifestSignature;  // manifest.sha256.p7s: a detached CMS of the manifest (DER)
};

// The file names a package's manifest and its signature have.
inline constexpr const char* kManifestFile = "manifest.sha256";
inline constexpr const char* kManifestSignatureFile = "manifest.sha256.p7s";
inline constexpr const char* kAuditLogHeadFile = "audit-log-head.txt";

// Describes `docs` (at least one) as one package made at `now`; `docs` must outlive the result.
// systemIDs are name-based UUIDs of the package and the case, so they are unique and a package can
// be made again identically. `schemas` (normally noark5Schemas()) are copied into the package and
// described in the ADDML, as Arkade 5 expects. `auditLogHead`, if given ("SEQ HASH" of the
// installation's audit log), goes into audit-log-head.txt; the caller signs the manifest
// (manifestSignature) if it can.
Package buildPackage(const std::vector<ArchiveDocument>& docs, const PackageSettings& settings,
                     Timestamp now, const SchemaFiles& schemas,
                     const std::string& auditLogHead = "");

// Writes the package into `outDir/<name>` through `env`: every file into a hidden temporary
// folder (outDir/.<name>.tmp), flushed, then the folder renamed into place, so the package
// appears whole or not at all. Returns the package folder. Throws ArchiveError naming the
// file and the cause, leaving nothing behind.
std::string writePackage(const Package& package, const std::string& outDir, Env& env);

struct Finding {
    std::string where;  // a file of the package, or the case
    std::string what;
};

// Checks a package on its own: every manifest line against its file, the manifest's signature
// (manifest.sha256.p7s: present, valid and, if `sealCertificateSha256` is given, made with that
// certificate), every document object of arkivstruktur.xml against its file (checksum, size), no
// file missing, unreferenced, referenced twice or empty, nothing but regular files and folders
// (a symbolic link is reported, never followed), unique systemIDs, every main document's seal,
// and arkivstruktur.xml and arkivuttrekk.xml against `schemas` (arkivstruktur.xsd and, if the
// set has it, addml.xsd; normally the shipped noark5Schemas()). Findings are sorted by where,
// then what. `progress`, if set, is called now and then from the calling thread with the files
// checked so far and the total.
std::vector<Finding> auditPackage(
    const std::string& dir, const SchemaFiles& schemas,
    const std::function<void(std::size_t done, std::size_t total)>& progress = {},
    const std::string& sealCertificateSha256 = "");

// The hidden temporary folders (.NAME.tmp) a writer killed in the middle left in `outDir`, by
// full path. They may hold personal PDFs: the next archive removes them, audit reports them.
std::vector<std::string> leftoverTemporaryFolders(const std::string& outDir, Env& env);

}  // namespace avtaleflyt::archive
