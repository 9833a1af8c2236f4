#pragma once
// Rendering a filled-in document as a PDF/A-2b file: A4, embedded subset DejaVu fonts, a
// header with the network's name, a footer with the case reference, template version and
// "Side N av M"; for the final document a signature page and the case's event log; sealed with
// a PAdES signature when a seal key is given.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "avtaleflyt/documents/Chart.h"
#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/domain/Template.h"

namespace avtaleflyt::documents {

class SealKey;

class PdfError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// One signer on the signature page. No e-mail or IP address: a PDF may become public.
struct SignatureEntry {
    std::string name;
    std::string role;          // "nurse", "leader", "party"
    std::string organisation;  // the unit, or the party
    std::string signedAt;      // timestamp text; empty: not signed
    std::string method;        // "link", "paper"
};

// One line of the event log appendix.
struct TrailEntry {
    std::string occurredAt;
    std::string kind;  // audit event kind, e.g. "case.sign"; shown in words from the catalogue
};

struct PdfOptions {
    std::string language = "nb";
    std::string networkName;
    std::string caseReference;
    std::string templateLabel;  // e.g. "function-description v1"
    bool signaturePage = false;
    std::vector<SignatureEntry> signatures;
        std::vector<TrailEntry> trail;  // the appendix, if not empty
    std::optional<BarChart> chart;  // drawn under the title (reports)
    // The document's date (info dictionary, XMP, seal). Rendering is deterministic: the same
    // document, options and date give the same bytes (the file ID is derived from the content),
    // so golden tests fix the date; a seal adds its own signing time.
    Timestamp created{};
};

// Rendering allocates and frees buffers of some hundred KiB per document (the streams, zlib's
// state, the file written); glibc hands out fresh mmap'd pages for each (a page fault per
// 4 KiB) unless told to keep freed memory for reuse. Called once at the start of a process
// that renders (the avtaleflyt program, the benchmarks); it changes no output.
void keepAllocatorMemoryForRendering();

// The PDF's bytes. With `seal`, the document carries a visible PAdES seal on its signature page
// (or last page) covering the whole file.
std::string renderPdf(const FilledDocument& doc, const PdfOptions& options,
                      const SealKey* seal = nullptr);

// One PDF of all of `pdfs`, in order (for printing: the seals of the parts do not carry over).
std::string mergePdfs(const std::vector<std::string>& pdfs);

}  // namespace avtaleflyt::documents
