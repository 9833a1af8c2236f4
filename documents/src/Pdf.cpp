#include "avtaleflyt/documents/Pdf.h"

#include <malloc.h>

#include <podofo/podofo.h>
#include <zlib.h>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string_view>

#include "PdfFonts.h"
#include "PdfStreams.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Messages.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/domain/Text.h"

using namespace PoDoFo;

namespace avtaleflyt::documents {
namespace {

using pdffonts::SubsetFont;

constexpr const char* kSrgbProfile = "/usr/share/color/icc/sRGB.icc";
constexpr double kPageWidth = 595.28, kPageHeight = 841.89;
constexpr double kLeft = 62, kRight = 62, kTop = 78, kBottom = 72;
constexpr double kTextWidth = kPageWidth - kLeft - kRight;
constexpr std::size_t kSignatureBytes = 8192;
// Page contents are compressed in every document: level 3 costs zlib about what level 1
// does on them (level 6, PoDoFo's, twice as much) and makes them a fifth smaller.
constexpr int kStreamLevel = 3;

PdfString utf8(const std::string& s) {
    return PdfString(reinterpret_cast<const pdf_utf8*>(s.c_str()));
}

std::string readBinary(const char* path) {
    if (auto bytes = tryReadFile(path))
        return std::move(*bytes);
    throw PdfError(std::string(path) + ": missing (install the package that provides it)");
}

// `x` rounded to three decimals, as PdfPainter writes numbers, without its trailing zeros.
std::string number(double x) {
    char digits[32];
    const auto end =
        std::to_chars(digits, digits + sizeof digits, x, std::chars_format::fixed, 3).ptr;
    std::string_view s(digits, static_cast<std::size_t>(end - digits));
    while (s.back() == '0') s.remove_suffix(1);
    if (s.back() == '.')
        s.remove_suffix(1);
    return s == "-0" ? "0" : std::string(s);
}

// Draws `text` in `font` at its current size, the baseline starting at (x, y), and records its
// characters for the font's subset: what PdfPainter::DrawText writes, but for the text state
// it repeats at the values every text object starts with (scale 100 %, no character spacing).
void showText(PdfPainter& painter, SubsetFont& font, double x, double y, const PdfString& text) {
    painter.GetPage()->AddResource(font.GetIdentifier(), font.GetObject()->Reference(),
                                   PdfName("Font"));
    std::string op = "BT\n/" + font.GetIdentifier().GetName() + " " + number(font.GetFontSize()) +
                     " Tf\n" + number(x) + " " + number(y) + " Td\n";
    font.show(text, op);
    op += " Tj\nET\n";
    painter.GetCanvas()->Append(op);
}

// Seals `pdf`, written with zeros for the signature at /Contents of its signature dictionary
// and PdfSignatureField's placeholder for the /ByteRange: writes in the byte range (formatted
// as PdfSignOutputDevice formats it, in the placeholder's width) and the signature over it.
void sealWritten(std::string& pdf, const SealKey& seal) {
    constexpr std::string_view kRange = "[ 0 1234567890 1234567890 1234567890]";
    const std::size_t range = pdf.find(kRange);
    const std::size_t contents = range == std::string::npos ? range : pdf.find("/Contents<", range);
    const std::size_t first = contents + 9;  // the hex string's '<'
    const std::size_t second = first + 2 * kSignatureBytes + 2;
    if (contents == std::string::npos || second > pdf.size() || pdf[second - 1] != '>')
        throw PdfError("cannot place the seal in the document");
    std::string byteRange = "[ 0 " + std::to_string(first) + " " + std::to_string(second) + " " +
                            std::to_string(pdf.size() - second) + " ";
    byteRange.resize(kRange.size() - 1, ' ');
    pdf.replace(range, kRange.size(), byteRange + "]");

    std::string signedBytes;
    signedBytes.reserve(pdf.size() - (second - first));
    signedBytes.append(pdf, 0, first).append(pdf, second, std::string::npos);
    const std::string cms = seal.sign(signedBytes);
    if (cms.size() > kSignatureBytes)
        throw PdfError("the seal's signature does not fit its reserved space");
    static constexpr char kHex[] = "0123456789ABCDEF";
    char* hex = pdf.data() + first + 1;  // the zeros after it pad the signature
    for (const char c : cms) {
        *hex++ = kHex[static_cast<unsigned char>(c) >> 4];
        *hex++ = kHex[static_cast<unsigned char>(c) & 0xf];
    }
}

// "2026-11-24T16:17:49Z" as PDF (D:...) and XMP forms.
struct Dates {
    PdfString pdf;
    std::string xmp;
};

// The PDF form of `t` as PdfDate(time_t) writes it, local time with the zone's hours
// ("D:20261124111749+01'00'"), but through localtime_r: PdfDate's localtime() hands every
// thread the same result to copy, and documents are rendered on several threads at once.
PdfString pdfDate(time_t t) {
    struct tm local {};
    char date[32] = "", zone[8] = "";
    if (!localtime_r(&t, &local) || !std::strftime(date, sizeof date, "D:%Y%m%d%H%M%S", &local) ||
        !std::strftime(zone, sizeof zone, "%z", &local))
        throw PdfError("cannot write the date " + std::to_string(t) + " in the PDF");
    zone[3] = '\0';  // the hours only, as PdfDate
    return PdfString(std::string(date) + zone + "'00'");
}

Dates datesFor(Timestamp t) {
    return {pdfDate(static_cast<time_t>(t.time_since_epoch().count())), formatTimestamp(t)};
}

// Lays out text on pages, top to bottom, starting a new page when one is full.
class Layout {
  public:
    Layout(PdfMemDocument& doc, SubsetFont* regular, SubsetFont* bold)
        : doc_(doc), regular_(regular), bold_(bold) {}

    ~Layout() { finish(); }

    // Ends painting; the pages stay.
    void finish() {
        if (page_)
            painter_.FinishPage();
        page_ = nullptr;
    }

    void newPage() {
        if (page_)
            painter_.FinishPage();
        page_ = doc_.CreatePage(PdfPage::CreateStandardPageSize(ePdfPageSize_A4));
        painter_.SetPage(page_);
        y_ = kPageHeight - kTop;
    }

    // Writes wrapped text; `indent` from the left margin; a bullet is drawn in the indent.
    void text(const std::string& s, bool isBold, double size, double indent = 0,
              const std::string& bullet = "", double spaceAfter = 6) {
        SubsetFont* font = isBold ? bold_ : regular_;
        font->SetFontSize(static_cast<float>(size));
        painter_.SetFont(font);
        const double lineHeight = font->GetFontMetrics()->GetLineSpacing();
        const auto lines = painter_.GetMultiLineTextAsLines(kTextWidth - indent, utf8(s));
        // Keep a heading with at least two lines of what follows.
        const double keep = isBold ? lineHeight * 3 : lineHeight;
        if (y_ - keep < kBottom)
            newPage();
        bool first = true;
        for (const auto& line : lines) {
            if (y_ - lineHeight < kBottom) {
                newPage();
                font->SetFontSize(static_cast<float>(size));
                painter_.SetFont(font);
            }
            y_ -= lineHeight;
            if (first && !bullet.empty())
                showText(painter_, *font, kLeft + indent - 12, y_, utf8(bullet));
            showText(painter_, *font, kLeft + indent, y_, line);
            first = false;
        }
        y_ -= spaceAfter;
    }

    void space(double points) { y_ -= points; }

    void rule() {
        painter_.SetStrokingColor(0.6, 0.6, 0.6);
        painter_.SetStrokeWidth(0.5);
        painter_.DrawLine(kLeft, y_, kPageWidth - kRight, y_);
        y_ -= 10;
    }

    // Reserves a box of `height` points on the current page (a new page if it does not fit)
    // and returns its rectangle.
    PdfRect box(double height) {
        if (y_ - height < kBottom)
            newPage();
        y_ -= height;
        PdfRect r(kLeft, y_, kTextWidth, height);
        y_ -= 10;
        return r;
    }

        // Draws `chart` across the text width (the geometry chartSvg uses).
    void chart(const BarChart& chart) {
        const ChartGeometry g = layOut(chart, kTextWidth);
        text(chart.title, true, 11, 0, "", 4);
        const PdfRect r = box(g.height - 18);
        const double top = r.GetBottom() + r.GetHeight() + 18;
        for (const auto& b : g.bars) {
            unsigned red = 0, green = 0, blue = 0;
            std::sscanf(seriesColour(b.series), "#%02x%02x%02x", &red, &green, &blue);
            painter_.SetColor(red / 255.0, green / 255.0, blue / 255.0);
            painter_.Rectangle(kLeft + b.x, top - b.y - b.height, b.width, b.height);
            painter_.Fill();
        }
        painter_.SetColor(0, 0, 0);
        regular_->SetFontSize(9);
        for (const auto& l : g.labels)
            showText(painter_, *regular_, kLeft + l.x, top - l.y - l.height + 4, utf8(l.text));
    }

    PdfPainter& painter() { return painter_; }

  private:
    PdfMemDocument& doc_;
    SubsetFont* regular_;
    SubsetFont* bold_;
    PdfPainter painter_;
    PdfPage* page_ = nullptr;
    double y_ = 0;
};

// Header and footer on every page, once the number of pages is known.
void decorate(PdfMemDocument& doc, SubsetFont& font, const PdfOptions& o, const Messages& m) {
    PdfPainter p;
    const int count = doc.GetPageCount();
    for (int i = 0; i < count; ++i) {
        p.SetPage(doc.GetPage(i));
        font.SetFontSize(8.5f);
        p.SetColor(0.35, 0.35, 0.35);
        showText(p, font, kLeft, kPageHeight - 48, utf8(o.networkName));
        p.SetStrokingColor(0.6, 0.6, 0.6);
        p.SetStrokeWidth(0.5);
        p.DrawLine(kLeft, kPageHeight - 54, kPageWidth - kRight, kPageHeight - 54);
        p.DrawLine(kLeft, 52, kPageWidth - kRight, 52);
        showText(p, font, kLeft, 40,
                 utf8(m.text("pdf.footer", {o.caseReference, o.templateLabel})));
        const PdfString page =
            utf8(m.text("pdf.page", {std::to_string(i + 1), std::to_string(count)}));
        showText(p, font, kLeft + kTextWidth - font.GetFontMetrics()->StringWidth(page), 40, page);
        p.FinishPage();
    }
}

// PDF/A-2b: XMP metadata matching the info dictionary, and an sRGB output intent.
void makePdfA(PdfMemDocument& doc, const std::string& title, const std::string& language,
              const Dates& created) {
    PdfInfo* info = doc.GetInfo();
    info->SetTitle(utf8(title));
    info->SetCreator(PdfString("avtaleflyt"));
    info->SetProducer(PdfString("avtaleflyt (PoDoFo)"));
    info->GetObject()->GetDictionary().AddKey("CreationDate", created.pdf);
    info->GetObject()->GetDictionary().AddKey("ModDate", created.pdf);

    const std::string xmp =
        "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
        "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
        "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" "
        "xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>\n"
        "<dc:format>application/pdf</dc:format>\n"
        "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">" +
        text::escapeXml(title) +
        "</rdf:li></rdf:Alt></dc:title>\n"
        "<xmp:CreateDate>" +
        created.xmp + "</xmp:CreateDate><xmp:ModifyDate>" + created.xmp +
        "</xmp:ModifyDate><xmp:CreatorTool>avtaleflyt</xmp:CreatorTool>\n"
        "<pdf:Producer>avtaleflyt (PoDoFo)</pdf:Producer>\n"
        "</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>";
    PdfObject* meta = doc.GetObjects().CreateObject("Metadata");
    meta->GetDictionary().AddKey("Subtype", PdfName("XML"));
    TVecFilters none;
    meta->GetStream()->Set(xmp.data(), static_cast<pdf_long>(xmp.size()), none);
    PdfObject* catalog = doc.GetCatalog();
    catalog->GetDictionary().AddKey("Metadata", meta->Reference());
    catalog->GetDictionary().AddKey("Lang", PdfString(language == "nb" ? "nb-NO" : language));

    // The profile never changes: compressed once per process.
    static const std::string icc = [] {
        const std::string bytes = readBinary(kSrgbProfile);
        return deflated(bytes.data(), bytes.size(), Z_BEST_COMPRESSION);
    }();
    PdfObject* profile = doc.GetObjects().CreateObject();
    profile->GetDictionary().AddKey("N", static_cast<pdf_int64>(3));
    setFlateStream(profile, icc);
    PdfObject* intent = doc.GetObjects().CreateObject("OutputIntent");
    intent->GetDictionary().AddKey("S", PdfName("GTS_PDFA1"));
    intent->GetDictionary().AddKey("OutputConditionIdentifier", PdfString("sRGB IEC61966-2.1"));
    intent->GetDictionary().AddKey("Info", PdfString("sRGB IEC61966-2.1"));
    intent->GetDictionary().AddKey("DestOutputProfile", profile->Reference());
    PdfArray intents;
    intents.push_back(intent->Reference());
    catalog->GetDictionary().AddKey("OutputIntents", intents);
}

void signaturePage(Layout& layout, const PdfOptions& o, const Messages& m) {
    layout.newPage();
    layout.text(m.text("pdf.signatures.title"), true, 14, 0, "", 8);
    layout.text(m.text("pdf.signatures.intro"), false, 10, 0, "", 10);
    for (const auto& s : o.signatures) {
        layout.text(s.name, true, 11, 0, "", 2);
        std::string detail = m.text("pdf.signature.role") + ": " + m.text("role." + s.role);
        if (!s.organisation.empty())
            detail += " · " + m.text("pdf.signature.unit") + ": " + s.organisation;
        layout.text(detail, false, 9.5, 0, "", 2);
        const std::string when = s.signedAt.empty()
                                     ? m.text("pdf.signature.unsigned")
                                     : m.text("pdf.signature.time") + ": " + s.signedAt + " · " +
                                           m.text("pdf.signature.method") + ": " +
                                           m.text("method." + s.method);
        layout.text(when, false, 9.5, 0, "", 8);
        layout.rule();
    }
}

void trailAppendix(Layout& layout, const PdfOptions& o, const Messages& m) {
    layout.newPage();
    layout.text(m.text("pdf.trail.title"), true, 14, 0, "", 8);
    for (const auto& e : o.trail) {
        const std::string what = m.has("event." + e.kind) ? m.text("event." + e.kind) : e.kind;
        layout.text(e.occurredAt + "   " + what, false, 9.5, 0, "", 2);
    }
}

// The visible seal: a box on the page with its appearance, and the signature field over it.
PdfSignatureField* sealField(PdfMemDocument& doc, PdfPage* page, const PdfRect& rect,
                             SubsetFont& regular, SubsetFont& bold, const std::string& subject,
                             const PdfOptions& o, const Messages& m,
                             std::unique_ptr<PdfSignatureField>& holder) {
    PdfAcroForm* acro = doc.GetAcroForm(ePdfCreateObject, ePdfAcroFormDefaultAppearance_None);
    acro->GetObject()->GetDictionary().AddKey("SigFlags", static_cast<pdf_int64>(3));
    PdfAnnotation* annot = page->CreateAnnotation(ePdfAnnotation_Widget, rect);
    annot->SetFlags(ePdfAnnotationFlags_Print);
    holder = std::make_unique<PdfSignatureField>(annot, acro, &doc);
    holder->SetFieldName(PdfString("avtaleflyt-seal"));
    holder->SetSignatureReason(utf8(m.text("pdf.seal.title")));
    holder->GetSignatureObject()->GetDictionary().AddKey("M", datesFor(o.created).pdf);

    PdfXObject appearance(PdfRect(0, 0, rect.GetWidth(), rect.GetHeight()), &doc);
    PdfPainter p;
    p.SetPage(&appearance);
    p.SetStrokingColor(0.1, 0.3, 0.5);
    p.SetStrokeWidth(1);
    p.Rectangle(1, 1, rect.GetWidth() - 2, rect.GetHeight() - 2);
    p.Stroke();
    bold.SetFontSize(10);
    p.SetColor(0.1, 0.3, 0.5);
    showText(p, bold, 10, rect.GetHeight() - 18, utf8(m.text("pdf.seal.title")));
    regular.SetFontSize(8.5f);
    p.SetFont(&regular);
    p.SetColor(0, 0, 0);
    const auto lines = p.GetMultiLineTextAsLines(
        rect.GetWidth() - 20, utf8(m.text("pdf.seal.text", {subject, formatTimestamp(o.created)})));
    double y = rect.GetHeight() - 32;
    for (const auto& line : lines) {
        showText(p, regular, 10, y, line);
        y -= 11;
    }
    p.FinishPage();
    holder->SetAppearanceStream(&appearance);
    return holder.get();
}

}  // namespace

// Every entry point into PoDoFo (here and PdfContent.cpp) calls this first. PoDoFo prints its debug and log lines
// ("Fixing references in 31 0 R by 30") on standard output unless told not to. And it
// compresses every stream it writes at zlib's default level, again each time a page's content
// is appended to: told to write them plain, renderPdf compresses each stream once, at the end
// (compressStreams).
void configurePodofo() {
    static std::once_flag once;
    std::call_once(once, [] {
        PoDoFo::PdfError::EnableDebug(false);
        PoDoFo::PdfError::EnableLogging(false);
        PoDoFo::PdfStream::eDefaultFilter = ePdfFilter_None;
    });
}


void keepAllocatorMemoryForRendering() {
    constexpr int kMmapThreshold = 64 << 20;  // allocations below it come from the heap
    constexpr int kTrimThreshold = 256 << 20;  // free memory kept before giving it back
    mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
    mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

std::string renderPdf(const FilledDocument& doc, const PdfOptions& o, const SealKey* seal) {
    configurePodofo();
    const Messages& m = Messages::forLanguage(o.language);
    try {
        PdfMemDocument pdf;
        pdf.SetPdfVersion(ePdfVersion_1_7);
        // Declared after the document, so deleted before it.
        pdffonts::SubsetFont regularFont(pdffonts::dejaVuSans(false), &pdf.GetObjects());
        pdffonts::SubsetFont boldFont(pdffonts::dejaVuSans(true), &pdf.GetObjects());
        // Once everything is drawn: the fonts' subsets, and every stream compressed.
        const auto complete = [&] {
            regularFont.EmbedSubsetFont();
            boldFont.EmbedSubsetFont();
            compressStreams(pdf.GetObjects(), kStreamLevel);
        };

        Layout layout(pdf, &regularFont, &boldFont);
        layout.newPage();
                layout.text(doc.title, true, 16, 0, "", 12);
        if (o.chart)
            layout.chart(*o.chart);

        for (const auto& b : doc.blocks) {
            switch (b.kind) {
                case TemplateBlock::Kind::Heading:
                    layout.space(b.level == 1 ? 6 : 2);
                    layout.text(b.text, true, b.level == 1 ? 12.5 : 11, 0, "", 4);
                    break;
                case TemplateBlock::Kind::Paragraph:
                    layout.text(b.text, false, 10.5, 0, "", 7);
                    break;
                case TemplateBlock::Kind::ListItem:
                    layout.text(b.text, false, 10.5, 16, "•", 4);
                    break;
            }
        }
        std::unique_ptr<PdfSignatureField> field;
        if (o.signaturePage)
            signaturePage(layout, o, m);
        PdfRect sealRect;
        int sealPage = 0;
        if (seal) {
            sealRect = layout.box(78);
            sealPage = pdf.GetPageCount() - 1;
        }
        if (!o.trail.empty())
            trailAppendix(layout, o, m);
        layout.finish();
        decorate(pdf, regularFont, o, m);
        makePdfA(pdf, doc.title, o.language, datesFor(o.created));

        PdfRefCountedBuffer buffer;
        PdfOutputDevice device(&buffer);
        if (!seal) {
            complete();
            pdf.Write(&device);
            return std::string(buffer.GetBuffer(), device.GetLength());
        }
        sealField(pdf, pdf.GetPage(sealPage), sealRect, regularFont, boldFont, seal->subject(), o,
                  m, field);
        // Zeros where the signature goes; PoDoFo writes a placeholder for the byte range.
        const std::string zeros(2 * kSignatureBytes, '0');
        field->SetSignature(PdfData(zeros.data(), zeros.size()));
        field->GetSignatureObject()->GetDictionary().AddKey("SubFilter",
                                                            PdfName("ETSI.CAdES.detached"));
        complete();
        pdf.Write(&device);
        std::string sealed(buffer.GetBuffer(), device.GetLength());
        sealWritten(sealed, *seal);
        return sealed;
    } catch (const PoDoFo::PdfError& e) {
        throw documents::PdfError(std::string("cannot render the PDF: ") +
                                  PoDoFo::PdfError::ErrorMessage(e.GetError()));
    }
}

std::string mergePdfs(const std::vector<std::string>& pdfs) {
    configurePodofo();
    if (pdfs.empty())
        throw documents::PdfError("nothing to merge");
    try {
        PdfMemDocument merged;
        merged.LoadFromBuffer(pdfs.front().data(), static_cast<long>(pdfs.front().size()));
        for (std::size_t i = 1; i < pdfs.size(); ++i) {
            PdfMemDocument part;
            part.LoadFromBuffer(pdfs[i].data(), static_cast<long>(pdfs[i].size()));
            merged.Append(part);
        }
        PdfRefCountedBuffer buffer;
        PdfOutputDevice device(&buffer);
        merged.Write(&device);
        return std::string(buffer.GetBuffer(), device.GetLength());
    } catch (const PoDoFo::PdfError& e) {
        throw documents::PdfError(std::string("cannot merge the PDFs: ") +
                                  PoDoFo::PdfError::ErrorMessage(e.GetError()));
    }
}

}  // namespace avtaleflyt::documents
