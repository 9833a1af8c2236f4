#include "avtaleflyt/archive/Package.h"

#include <Poco/Path.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::archive {
namespace {

std::string uuidFor(const std::string& name) {
    return Poco::UUIDGenerator::defaultGenerator()
        .createFromName(Poco::UUID::oid(), "avtaleflyt:" + name)
        .toString();
}

// A small XML writer that indents and escapes.
class Xml {
  public:
    void open(const std::string& tag, const std::string& attrs = "") {
        line("<" + tag + (attrs.empty() ? "" : " " + attrs) + ">");
        ++depth_;
    }
    void close(const std::string& tag) {
        --depth_;
        line("</" + tag + ">");
    }
    void leaf(const std::string& tag, const std::string& value) {
        line("<" + tag + ">" + text::escapeXml(value) + "</" + tag + ">");
    }
    std::string str() const { return out_; }

  private:
    void line(const std::string& s) {
        out_ += std::string(static_cast<std::size_t>(depth_) * 2, ' ') + s + "\n";
    }
    std::string out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    int depth_ = 0;
};

void created(Xml& x, const std::string& at, const std::string& by) {
    x.leaf("opprettetDato", at);
    x.leaf("opprettetAv", by);
}

void finished(Xml& x, const std::string& at, const std::string& by) {
    x.leaf("avsluttetDato", at);
    x.leaf("avsluttetAv", by);
}

void screening(Xml& x, const PackageSettings& s, const std::vector<std::string>& metadata,
               bool wholeDocument) {
    x.open("skjerming");
    x.leaf("tilgangsrestriksjon", s.accessCode);
    x.leaf("skjermingshjemmel", s.screeningAuthority);
    for (const auto& m : metadata) x.leaf("skjermingMetadata", m);
    if (wholeDocument)
        x.leaf("skjermingDokument", "Skjerming av hele dokumentet");
    x.close("skjerming");
}

// One dokumentbeskrivelse with its dokumentobjekt: number 1 is the main document, the rest
// attachments (scans of paper signatures).
void describeDocument(Xml& x, const PackageSettings& s, const ArchiveDocument& d,
                      const std::string& bytes, const std::string& file, int number,
                      const std::string& at, Package& p);

}  // namespace

namespace {

// The ADDML (arkivuttrekk.xml) for a package with only arkivstruktur.xml, following
// arkivuttrekk-mal-v5_0.xml.
std::string addml(const Package& p, const PackageSettings& s, int firstYear, int lastYear,
                  bool screened, std::size_t caseFiles, std::size_t entries) {
    Xml x;
    const auto prop = [&](const std::string& name, const std::string& value,
                          const std::string& type = "") {
        x.open("property",
               (type.empty() ? "" : "dataType=\"" + type + "\" ") + "name=\"" + name + "\"");
        x.leaf("value", value);
        x.close("property");
    };
    const auto fileProps = [&](const std::string& name, const std::string& sha) {
        x.open("property", "name=\"file\"");
        x.open("properties");
        prop("name", name);
        x.open("property", "name=\"format\"");
        x.leaf("value", "XML");
        x.open("properties");
        prop("version", "1.0");
        x.close("properties");
        x.close("property");
        x.open("property", "name=\"checksum\"");
        x.open("properties");
        prop("algorithm", "SHA-256");
        prop("value", sha);
        x.close("properties");
        x.close("property");
        x.close("properties");
        x.close("property");
    };
    const auto additional = [&](const std::string& name, const std::string& value) {
        x.open("additionalElement", "name=\"" + name + "\"");
        x.leaf("value", value);
        x.close("additionalElement");
    };
    x.open("addml",
           "xmlns=\"http://www.arkivverket.no/standarder/addml\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" name=\"Noark 5-arkivuttrekk\"");
    x.open("dataset");
    x.leaf("description", "Noark 5-arkivuttrekk");
    x.open("reference");
    x.open("context");
    x.open("additionalElements");
    x.open("additionalElement", "name=\"recordCreators\"");
    x.open("additionalElements");
    additional("recordCreator", s.creatorName);
    x.close("additionalElements");
    x.close("additionalElement");
    additional("systemType", "Sakarkiv (Noark-5)");
    additional("systemName", "avtaleflyt");
    additional("archive", s.creatorName + " – avtaleflyt");
    x.close("additionalElements");
    x.close("context");
    x.open("content");
    x.open("additionalElements");
    x.open("additionalElement", "name=\"archivalPeriod\"");
    x.open("properties");
    prop("startDate", std::to_string(firstYear) + "-01-01");
    prop("endDate", std::to_string(lastYear) + "-12-31");
    x.close("properties");
    x.close("additionalElement");
    x.close("additionalElements");
    x.close("content");
    x.close("reference");
    x.open("dataObjects");
    x.open("dataObject", "name=\"Noark 5-arkivuttrekk\"");
    x.open("properties");
    x.open("property", "name=\"info\"");
    x.open("properties");
    x.open("property", "name=\"type\"");
    x.leaf("value", "Noark 5");
    x.open("properties");
    prop("version", "5.0");
    x.close("properties");
    x.close("property");
    x.open("property", "name=\"additionalInfo\"");
    x.open("properties");
    x.open("property", "name=\"periode\"");
    x.open("properties");
    prop("inngaaendeSkille", "skarpt");
    prop("utgaaendeSkille", "skarpt");
    x.close("properties");
    x.close("property");
    prop("inneholderSkjermetInformasjon", screened ? "true" : "false", "boolean");
    prop("omfatterDokumenterSomErKassert", "false", "boolean");
    prop("inneholderDokumenterSomSkalKasseres", "false", "boolean");
    prop("inneholderVirksomhetsspesifikkeMetadata", "false", "boolean");
    prop("antallDokumentfiler", std::to_string(p.documents.size()), "integer");
    x.close("properties");
    x.close("property");
    x.close("properties");
    x.close("property");
    x.close("properties");
    x.open("dataObjects");
    x.open("dataObject", "name=\"arkivstruktur\"");
    x.open("properties");
    fileProps("arkivstruktur.xml", sha256Hex(p.arkivstruktur));
    for (const auto& [name, text] : p.schemas) {
        // The other schemas belong to the data objects of the files they describe (endringslogg,
        // the journals); the ADDML's own schema is not described.
        if (name != "arkivstruktur.xsd" && name != "metadatakatalog.xsd")
            continue;
        x.open("property", "name=\"schema\"");
        if (name == "arkivstruktur.xsd")
            x.leaf("value", "main");
        x.open("properties");
        fileProps(name, sha256Hex(text));
        x.open("property", "name=\"type\"");
        x.leaf("value", "XML Schema");
        x.open("properties");
        prop("version", "1.0");
        x.close("properties");
        x.close("property");
        x.close("properties");
        x.close("property");
    }
    x.open("property", "name=\"info\"");
    x.open("properties");
    for (const auto& [element, count] :
         {std::pair<std::string, std::size_t>{"mappe", caseFiles},
          std::pair<std::string, std::size_t>{"registrering", entries}}) {
        x.open("property", "name=\"numberOfOccurrences\"");
        x.leaf("value", element);
        x.open("properties");
        prop("elementPath", "//" + element);
        prop("value", std::to_string(count), "integer");
        x.close("properties");
        x.close("property");
    }
    x.close("properties");
    x.close("property");
    x.close("properties");
    x.close("dataObject");
    x.close("dataObjects");
    x.close("dataObject");
    x.close("dataObjects");
    x.close("dataset");
    x.close("addml");
    return x.str();
}

}  // namespace

Package buildPackage(const std::vector<ArchiveDocument>& docs, const PackageSettings& s,
                     Timestamp now, const SchemaFiles& schemas, const std::string& auditLogHead) {
    if (docs.empty())
        throw ArchiveError("nothing to archive");
    Package p;
    const std::string at = formatTimestamp(now);
    const std::string date = formatDate(now);
    std::string stamp = at;
    stamp.erase(std::remove(stamp.begin(), stamp.end(), '-'), stamp.end());
    stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
    p.name = "avtaleflyt-" + stamp;

    // workflow -> year -> documents, in a stable order.
    // workflow -> case file (its year, or its case) -> documents, in a stable order.
    std::map<std::string, std::map<std::string, std::vector<const ArchiveDocument*>>> tree;
    int firstYear = 9999, lastYear = 0;
    for (const auto& d : docs) {
        tree[d.workflow][s.caseFilePerCase ? d.caseReference : std::to_string(d.year)].push_back(
            &d);
        firstYear = std::min(firstYear, d.year);
        lastYear = std::max(lastYear, d.year);
    }

    Xml x;
    x.open("arkiv",
           "xmlns=\"http://www.arkivverket.no/standarder/noark5/arkivstruktur\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
    x.leaf("systemID", uuidFor(p.name + "/arkiv"));
    x.leaf("tittel", s.creatorName + " – avtaleflyt");
    x.leaf("arkivstatus", "Avsluttet");
    x.leaf("dokumentmedium", "Elektronisk arkiv");
    created(x, at, s.actor);
    finished(x, at, s.actor);
    x.open("arkivskaper");
    x.leaf("arkivskaperID", s.creatorId);
    x.leaf("arkivskaperNavn", s.creatorName);
    x.close("arkivskaper");
    x.open("arkivdel");
    x.leaf("systemID", uuidFor(p.name + "/arkivdel"));
    x.leaf("tittel", s.creatorName + " " + std::to_string(firstYear) +
                         (lastYear != firstYear ? "–" + std::to_string(lastYear) : ""));
    x.leaf("arkivdelstatus", "Avsluttet periode");
    x.leaf("dokumentmedium", "Elektronisk arkiv");
    created(x, at, s.actor);
    finished(x, at, s.actor);
    x.leaf("arkivperiodeStartDato", std::to_string(firstYear) + "-01-01");
    x.leaf("arkivperiodeSluttDato", std::to_string(lastYear) + "-12-31");
    x.open("klassifikasjonssystem");
    x.leaf("systemID", uuidFor(p.name + "/klassifikasjonssystem"));
    x.leaf("klassifikasjonstype", "Funksjonsbasert, hierarkisk");
    x.leaf("tittel", "avtaleflyt");
    created(x, at, s.actor);
    int caseFileNo = 0, entryNo = 0;
    for (const auto& [workflow, years] : tree) {
        const ArchiveDocument& any = *years.begin()->second.front();
        x.open("klasse");
        x.leaf("systemID", uuidFor(p.name + "/klasse/" + workflow));
        x.leaf("klasseID", workflow);
        x.leaf("tittel", any.workflowTitle);
        created(x, at, s.actor);
        for (const auto& [key, list] : years) {
            ++caseFileNo;
            const int year = list.front()->year;
            x.open("mappe", "xsi:type=\"saksmappe\"");
            x.leaf("systemID", uuidFor(p.name + "/mappe/" + workflow + "/" + key));
            x.leaf("mappeID", std::to_string(year) + "/" + std::to_string(caseFileNo));
            x.leaf("tittel",
                   s.caseFilePerCase ? list.front()->publicTitle : any.workflowTitle + " " + key);
            created(x, at, s.actor);
            finished(x, at, s.actor);
            int docNo = 0;
            for (const ArchiveDocument* d : list) {
                ++docNo;
                ++entryNo;
                x.open("registrering", "xsi:type=\"journalpost\"");
                x.leaf("systemID", uuidFor("registrering/" + d->caseReference));
                created(x, at, s.actor);
                x.leaf("arkivertDato", at);
                x.leaf("arkivertAv", s.actor);
                if (d->screened)
                    screening(x, s, {"Skjerming tittel registrering - utvalgte ord"}, true);
                describeDocument(x, s, *d, *d->pdf, "dokumenter/" + d->caseReference + ".pdf", 1,
                                 at, p);
                for (std::size_t k = 0; k < d->scans.size(); ++k)
                    describeDocument(x, s, *d, *d->scans[k],
                                     "dokumenter/" + d->caseReference + "-skann-" +
                                         std::to_string(k + 1) + ".pdf",
                                     static_cast<int>(k + 2), at, p);
                x.leaf("registreringsID", d->caseReference);
                x.leaf("tittel", d->title);
                if (d->screened)
                    x.leaf("offentligTittel", d->publicTitle);
                x.leaf("journalaar", std::to_string(year));
                x.leaf("journalsekvensnummer", std::to_string(entryNo));
                x.leaf("journalpostnummer", std::to_string(docNo));
                x.leaf("journalposttype", "Organinternt dokument uten oppfølging");
                x.leaf("journalstatus", "Arkivert");
                x.leaf("journaldato", date);
                x.leaf("antallVedlegg", std::to_string(d->scans.size()));
                x.close("registrering");
            }
            x.leaf("saksaar", std::to_string(year));
            x.leaf("sakssekvensnummer", std::to_string(caseFileNo));
            x.leaf("saksdato", date);
            x.leaf("administrativEnhet", s.creatorName);
            x.leaf("saksansvarlig", s.actor);
            x.leaf("saksstatus", "Avsluttet");
            x.close("mappe");
        }
        x.close("klasse");
    }
    x.close("klassifikasjonssystem");
    x.close("arkivdel");
    x.close("arkiv");
    p.arkivstruktur = x.str();
    p.schemas = schemas;
    const bool screened =
        std::any_of(docs.begin(), docs.end(), [](const ArchiveDocument& d) { return d.screened; });
    p.arkivuttrekk = addml(p, s, firstYear, lastYear, screened,
                           static_cast<std::size_t>(caseFileNo), static_cast<std::size_t>(entryNo));

    p.manifest = sha256Hex(p.arkivstruktur) + "  arkivstruktur.xml\n";
    p.manifest += sha256Hex(p.arkivuttrekk) + "  arkivuttrekk.xml\n";
    for (const auto& [name, text] : p.schemas) p.manifest += sha256Hex(text) + "  " + name + "\n";
    for (const auto& f : p.documents) p.manifest += f.sha256 + "  " + f.path + "\n";
    if (!auditLogHead.empty()) {
        p.auditLogHead = auditLogHead + "\n";
        p.manifest += sha256Hex(p.auditLogHead) + "  " + kAuditLogHeadFile + "\n";
    }
    return p;
}

namespace {

void describeDocument(Xml& x, const PackageSettings& s, const ArchiveDocument& d,
                      const std::string& bytes, const std::string& file, int number,
                      const std::string& at, Package& p) {
    const bool main = number == 1;
    const std::string sha = sha256Hex(bytes);
    p.documents.push_back({file, &bytes, sha, bytes.size()});
    const std::string id = d.caseReference + "/" + std::to_string(number);
    x.open("dokumentbeskrivelse");
    x.leaf("systemID", uuidFor("dokumentbeskrivelse/" + id));
    x.leaf("dokumenttype", main ? d.documentType : "Signatur");
    x.leaf("dokumentstatus", "Dokumentet er ferdigstilt");
    x.leaf("tittel", main ? d.title : "Skannet papirsignatur " + std::to_string(number - 1));
    created(x, at, s.actor);
    x.leaf("tilknyttetRegistreringSom", main ? "Hoveddokument" : "Vedlegg");
    x.leaf("dokumentnummer", std::to_string(number));
    x.leaf("tilknyttetDato", at);
    x.leaf("tilknyttetAv", s.actor);
    if (d.screened)
        screening(x, s, {"Skjerming tittel dokumentbeskrivelse"}, true);
    x.open("dokumentobjekt");
    x.leaf("systemID", uuidFor("dokumentobjekt/" + id));
    x.leaf("versjonsnummer", "1");
    x.leaf("variantformat", "Arkivformat");
    x.leaf("format", main ? s.format : (s.format == "pdf" ? "pdf" : "fmt/18"));
    if (main)
        x.leaf("formatDetaljer", "PDF/A-2b");
    created(x, at, s.actor);
    x.leaf("referanseDokumentfil", file);
    x.leaf("sjekksum", sha);
    x.leaf("sjekksumAlgoritme", "SHA256");
    x.leaf("filstoerrelse", std::to_string(bytes.size()));
    x.close("dokumentobjekt");
    x.close("dokumentbeskrivelse");
}

}  // namespace

std::vector<std::string> leftoverTemporaryFolders(const std::string& outDir, Env& env) {
    std::vector<std::string> out;
    if (!env.exists(outDir))
        return out;
    for (const auto& name : env.list(outDir))
        if (name.size() > 5 && name[0] == '.' && name.compare(name.size() - 4, 4, ".tmp") == 0)
            out.push_back(Poco::Path(outDir).append(name).toString());
    std::sort(out.begin(), out.end());
    return out;
}

std::string writePackage(const Package& p, const std::string& outDir, Env& env) {
    const std::string finalDir = Poco::Path(outDir).append(p.name).toString();
    const std::string tmpDir = Poco::Path(outDir).append("." + p.name + ".tmp").toString();
    const auto in = [&](const std::string& file) { return Poco::Path(tmpDir).append(file).toString(); };
    try {
        if (env.exists(finalDir))
            throw ArchiveError(finalDir + ": a package of that name exists already");
        for (const auto& left : leftoverTemporaryFolders(outDir, env)) env.remove(left);  // writers that died
        env.createDirectories(in("dokumenter"));
        env.writeFileSynced(in("arkivstruktur.xml"), p.arkivstruktur);
        env.writeFileSynced(in("arkivuttrekk.xml"), p.arkivuttrekk);
        for (const auto& [name, text] : p.schemas) env.writeFileSynced(in(name), text);
        for (const auto& f : p.documents) env.writeFileSynced(in(f.path), *f.bytes);
        if (!p.auditLogHead.empty())
            env.writeFileSynced(in(kAuditLogHeadFile), p.auditLogHead);
        env.writeFileSynced(in(kManifestFile), p.manifest);
        if (!p.manifestSignature.empty())
            env.writeFileSynced(in(kManifestSignatureFile), p.manifestSignature);
        env.rename(tmpDir, finalDir);
    } catch (const EnvError& e) {
        try {
            env.remove(tmpDir);
        } catch (const EnvError&) {
            // The package is not there either way; a later write removes the rest.
        }
        throw ArchiveError(finalDir + ": cannot write the package: " + e.what());
    }
    return finalDir;
}

}  // namespace avtaleflyt::archive
