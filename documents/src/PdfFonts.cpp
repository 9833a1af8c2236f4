#include "PdfFonts.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "PdfStreams.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Pdf.h"

using namespace PoDoFo;

namespace avtaleflyt::documents::pdffonts {
namespace {

constexpr const char* kRegularFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kBoldFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

// Subsets kept per face: a send renders one template for many people, whose names add a few
// letters now and then.
constexpr std::size_t kRecentSubsets = 32;

// Characters every subset has besides the ones drawn: those of Norwegian names, units, dates
// and references, the parts of a template's text that differ from one person to the next.
// Documents of one template then mostly draw the same set and share its subset (rendering 500
// function descriptions for the sample network's people: 4 subsets rather than 658), for some
// 100 bytes per glyph the document does not use.
constexpr const char16_t kCommonCharacters[] =
    u" ',-./0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÆØÅæøå";

// A UTF-16BE unit of a PdfString as a code point.
std::uint16_t hostOrder(pdf_utf16be c) {
    return static_cast<std::uint16_t>((c & 0xff) << 8 | c >> 8);
}

// PdfFontMetricsFreetype's width cache holds width 0 below this code point.
constexpr std::uint16_t kFirstMeasured = 31;

// Font metrics from a FontFace's tables, computed as PdfFontMetricsFreetype computes them (the
// same widths, so the same line breaks). The size, scale and spacing are the font's own.
class TableMetrics final : public PdfFontMetrics {
  public:
    explicit TableMetrics(const FontFace& face)
        : PdfFontMetrics(ePdfFontType_TrueType, "", nullptr), face_(face) {}

    // The widths of the characters first..last (of `encoding`, if given), unscaled.
    void GetWidthArray(PdfVariant& var, unsigned int first, unsigned int last,
                       const PdfEncoding* encoding) const override {
        PdfArray list;
        for (unsigned int i = first; i <= last; ++i)
            list.push_back(PdfVariant(
                characterWidth(encoding ? hostOrder(encoding->GetCharCode(static_cast<int>(i)))
                                        : static_cast<std::uint16_t>(i))));
        var = PdfVariant(list);
    }
    double GetGlyphWidth(int glyph) const override {
        return face_.glyphWidth(static_cast<std::uint16_t>(glyph));
    }
    // Glyph names are for Type 1 fonts; a TrueType glyph is reached through its code point.
    double GetGlyphWidth(const char*) const override { return 0.0; }
    void GetBoundingBox(PdfArray& array) const override {
        array.Clear();
        for (const double v : face_.boundingBox) array.push_back(PdfVariant(v));
    }
    double CharWidth(unsigned char c) const override { return scaled(characterWidth(c)); }
    double UnicodeCharWidth(unsigned short c) const override { return scaled(characterWidth(c)); }
    double GetLineSpacing() const override { return face_.lineSpacing * GetFontSize(); }
    double GetUnderlineThickness() const override {
        return face_.underlineThickness * GetFontSize();
    }
    double GetUnderlinePosition() const override { return face_.underlinePosition * GetFontSize(); }
    double GetStrikeOutPosition() const override { return face_.strikeOutPosition * GetFontSize(); }
    double GetStrikeoutThickness() const override {
        return face_.strikeOutThickness * GetFontSize();
    }
    const char* GetFontData() const override { return face_.bytes().data(); }
    pdf_long GetFontDataLen() const override { return static_cast<pdf_long>(face_.bytes().size()); }
    const char* GetFontname() const override { return face_.postScriptName().c_str(); }
    unsigned int GetWeight() const override { return face_.weight; }
    double GetAscent() const override { return face_.ascent * GetFontSize(); }
    double GetPdfAscent() const override { return face_.pdfAscent; }
    double GetDescent() const override { return face_.descent * GetFontSize(); }
    double GetPdfDescent() const override { return face_.pdfDescent; }
    int GetItalicAngle() const override { return face_.italicAngle; }
    long GetGlyphId(long codePoint) const override {
        return codePoint >= 0 && codePoint <= 0xffff
                   ? face_.glyph(static_cast<std::uint16_t>(codePoint))
                   : 0;
    }
    bool IsSymbol() const override { return false; }

  private:
    double characterWidth(std::uint16_t c) const {
        return c < kFirstMeasured ? 0.0 : face_.glyphWidth(face_.glyph(c));
    }
    // PdfFontMetricsFreetype's formula, operation for operation.
    double scaled(double width) const {
        return width * static_cast<double>(GetFontSize() * GetFontScale() / 100.0) / 1000.0 +
               static_cast<double>(GetFontSize() * GetFontScale() / 100.0 * GetFontCharSpace() /
                                   100.0);
    }

    const FontFace& face_;
};

// A subset tag of six capital letters from the characters (FNV-1a): subsets of different
// characters get different names, as PDF readers expect of documents merged into one.
std::string tagOf(const std::vector<std::uint16_t>& characters) {
    std::uint64_t h = 14695981039346656037ull;
    for (const std::uint16_t c : characters) {
        h = (h ^ (c & 0xff)) * 1099511628211ull;
        h = (h ^ (c >> 8)) * 1099511628211ull;
    }
    std::string tag(6, 'A');
    for (auto& letter : tag) {
        letter = static_cast<char>('A' + h % 26);
        h /= 26;
    }
    return tag + "+";
}

std::string toUnicodeCMap(const std::map<std::uint16_t, std::uint16_t>& codeOfGlyph) {
    std::string cmap =
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo\n<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
    constexpr std::size_t kPerBlock = 100;  // the most a bfchar block may hold
    std::size_t left = codeOfGlyph.size();
    char entry[24];
    for (auto it = codeOfGlyph.begin(); it != codeOfGlyph.end();) {
        const std::size_t n = std::min(left, kPerBlock);
        cmap += std::to_string(n) + " beginbfchar\n";
        for (std::size_t i = 0; i < n; ++i, ++it) {
            std::snprintf(entry, sizeof entry, "<%04X> <%04X>\n", it->first, it->second);
            cmap += entry;
        }
        cmap += "endbfchar\n";
        left -= n;
    }
    return cmap + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
}

}  // namespace

FontFace::FontFace(const char* path) : glyphs_(0x10000, 0) {
    auto file = tryReadFile(path);
    if (!file)
        throw documents::PdfError(std::string(path) +
                                  ": missing (the DejaVu fonts, package fonts-dejavu-core)");
    bytes_ = std::move(*file);
    // A document only for its FreeType library, which lives as long as the metrics.
    PdfMemDocument scratch;
    FT_Library library = scratch.GetFontLibrary();
    PdfFontMetricsFreetype metrics(&library, bytes_.data(),
                                   static_cast<unsigned int>(bytes_.size()), false, nullptr);
    std::uint16_t last = 0;
    for (std::uint32_t c = 0; c <= 0xffff; ++c) {
        glyphs_[c] = static_cast<std::uint16_t>(metrics.GetGlyphId(static_cast<long>(c)));
        last = std::max(last, glyphs_[c]);
    }
    glyphWidths_.assign(last + 1u, 0.0);
    for (std::uint16_t g = 0; g <= last; ++g) glyphWidths_[g] = metrics.GetGlyphWidth(g);
    postScriptName_ = metrics.GetFontname();
    metrics.SetFontSize(1.0f);  // the sized metrics per point
    lineSpacing = metrics.GetLineSpacing();
    underlineThickness = metrics.GetUnderlineThickness();
    underlinePosition = metrics.GetUnderlinePosition();
    strikeOutPosition = metrics.GetStrikeOutPosition();
    strikeOutThickness = metrics.GetStrikeoutThickness();
    ascent = metrics.GetAscent();
    descent = metrics.GetDescent();
    pdfAscent = metrics.GetPdfAscent();
    pdfDescent = metrics.GetPdfDescent();
    PdfArray box;
    metrics.GetBoundingBox(box);
    for (std::size_t i = 0; i < boundingBox.size(); ++i) boundingBox[i] = box[i].GetReal();
    weight = metrics.GetWeight();
    italicAngle = metrics.GetItalicAngle();
}

std::shared_ptr<const Subset> FontFace::subset(const std::vector<std::uint16_t>& characters) const {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = recent_.begin(); it != recent_.end(); ++it)
            if ((*it)->characters == characters) {
                recent_.splice(recent_.begin(), recent_, it);
                return recent_.front();
            }
    }
    // Made outside the lock: other threads go on with the subsets they have. Of two threads
    // making the same one, the second to finish takes the first one's (they are equal).
    auto made = makeSubset(characters);
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& s : recent_)
        if (s->characters == characters)
            return s;
    recent_.push_front(made);
    if (recent_.size() > kRecentSubsets)
        recent_.pop_back();
    return made;
}

std::shared_ptr<const Subset> FontFace::makeSubset(
    const std::vector<std::uint16_t>& characters) const {
    auto s = std::make_shared<Subset>();
    s->characters = characters;
    s->baseFont = tagOf(characters) + postScriptName_;

    TableMetrics metrics(*this);
    PdfInputDevice input(bytes_.data(), bytes_.size());
    PdfFontTTFSubset subsetter(&input, &metrics, PdfFontTTFSubset::eFontFileType_TTF);
    PdfRefCountedBuffer program;
    std::vector<unsigned char> cidSet;
    subsetter.BuildFont(program, std::set<pdf_utf16be>(characters.begin(), characters.end()),
                        cidSet);
    s->fontFileSize = program.GetSize();
    s->fontFile = deflated(program.GetBuffer(), program.GetSize(), Z_BEST_COMPRESSION);
    s->cidSet =
        deflated(reinterpret_cast<const char*>(cidSet.data()), cidSet.size(), Z_BEST_COMPRESSION);

    // As PoDoFo's subsets: a glyph reached from several code points maps to the last of them.
    std::map<std::uint16_t, std::uint16_t> codeOfGlyph;
    for (const std::uint16_t c : characters)
        if (const std::uint16_t g = glyph(c))
            codeOfGlyph[g] = c;
    const std::string cmap = toUnicodeCMap(codeOfGlyph);
    s->toUnicode = deflated(cmap.data(), cmap.size(), Z_BEST_COMPRESSION);

    // The widths of the glyphs drawn, rounded as PoDoFo rounds them: each run of consecutive
    // glyph ids as "first [w1 w2 ...]".
    int previous = -2;
    s->widths = "[";
    for (const auto& entry : codeOfGlyph) {
        const std::uint16_t g = entry.first;
        if (g != previous + 1)
            s->widths += (previous < 0 ? "" : "] ") + std::to_string(g) + " [";
        else
            s->widths += ' ';
        s->widths += std::to_string(static_cast<std::int64_t>(glyphWidth(g) + 0.5));
        previous = g;
    }
    s->widths += previous < 0 ? "]" : "]]";
    return s;
}

const FontFace& dejaVuSans(bool bold) {
    static const FontFace regular(kRegularFont);
    static const FontFace boldFace(kBoldFont);
    return bold ? boldFace : regular;
}

SubsetFont::SubsetFont(const FontFace& face, PdfVecObjects* objects)
    : PdfFont(new TableMetrics(face), new PdfIdentityEncoding(0, 0xffff, true), objects),
      face_(face) {
    m_bIsSubsetting = true;
    for (const char16_t c : kCommonCharacters)
        if (c)
            record(c);
}

void SubsetFont::show(const PdfString& text, std::string& content) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const PdfString unicode = text.IsUnicode() ? PdfString() : text.ToUnicode();
    const PdfString& u = text.IsUnicode() ? text : unicode;
    const pdf_utf16be* characters = u.GetUnicode();
    const pdf_long length = u.GetCharacterLength();
    content.reserve(content.size() + 4 * static_cast<std::size_t>(length) + 2);
    content += '<';
    for (pdf_long i = 0; i < length; ++i) {
        const std::uint16_t c = hostOrder(characters[i]);
        record(c);
        const bool tab = c == '\t';
        const std::uint16_t g = face_.glyph(tab ? ' ' : c);
        const char hex[4] = {kHex[g >> 12], kHex[g >> 8 & 0xf], kHex[g >> 4 & 0xf], kHex[g & 0xf]};
        for (int repeat = tab ? 4 : 1; repeat > 0; --repeat) content.append(hex, 4);
    }
    content += '>';
}

void SubsetFont::AddUsedSubsettingGlyphs(const PdfString& text, long length) {
    const PdfString unicode = text.ToUnicode();
    const pdf_utf16be* characters = unicode.GetUnicode();
    for (long i = 0; i < length; ++i) record(hostOrder(characters[i]));
}

void SubsetFont::EmbedSubsetFont() {
    if (m_bWasEmbedded)
        return;
    m_bWasEmbedded = true;
    std::vector<std::uint16_t> characters;
    for (std::size_t word = 0; word < used_.size(); ++word)
        for (std::uint64_t bits = used_[word]; bits; bits &= bits - 1)
            characters.push_back(static_cast<std::uint16_t>(
                word * 64 + static_cast<unsigned>(__builtin_ctzll(bits))));
    const std::shared_ptr<const Subset> subset = face_.subset(characters);

    PdfVecObjects& objects = *GetObject()->GetOwner();
    const PdfName baseFont(subset->baseFont);

    PdfObject* fontFile = objects.CreateObject();
    fontFile->GetDictionary().AddKey("Length1", static_cast<pdf_int64>(subset->fontFileSize));
    setFlateStream(fontFile, subset->fontFile);
    PdfObject* cidSet = objects.CreateObject();
    setFlateStream(cidSet, subset->cidSet);

    PdfObject* descriptor = objects.CreateObject("FontDescriptor");
    PdfDictionary& d = descriptor->GetDictionary();
    PdfArray box;
    for (const double v : face_.boundingBox) box.push_back(PdfVariant(v));
    d.AddKey("FontName", baseFont);
    d.AddKey(PdfName::KeyFlags, static_cast<pdf_int64>(32));  // nonsymbolic
    d.AddKey("FontBBox", box);
    d.AddKey("ItalicAngle", static_cast<pdf_int64>(face_.italicAngle));
    d.AddKey("Ascent", face_.pdfAscent);
    d.AddKey("Descent", face_.pdfDescent);
    d.AddKey("CapHeight", face_.pdfAscent);
    d.AddKey("StemV", static_cast<pdf_int64>(1));
    d.AddKey("FontFile2", fontFile->Reference());
    d.AddKey("CIDSet", cidSet->Reference());

    PdfObject* systemInfo = objects.CreateObject();
    systemInfo->GetDictionary().AddKey("Registry", PdfString("Adobe"));
    systemInfo->GetDictionary().AddKey("Ordering", PdfString("Identity"));
    systemInfo->GetDictionary().AddKey("Supplement", PdfVariant(static_cast<pdf_int64>(0)));

    PdfObject* cidFont = objects.CreateObject("Font");
    PdfDictionary& c = cidFont->GetDictionary();
    c.AddKey(PdfName::KeySubtype, PdfName("CIDFontType2"));
    c.AddKey("BaseFont", baseFont);
    c.AddKey("CIDSystemInfo", systemInfo->Reference());
    c.AddKey("FontDescriptor", descriptor->Reference());
    c.AddKey("CIDToGIDMap", PdfName("Identity"));
    c.AddKey("W", PdfVariant(PdfData(subset->widths.data(), subset->widths.size())));

    PdfObject* toUnicode = objects.CreateObject();
    setFlateStream(toUnicode, subset->toUnicode);

    PdfDictionary& f = GetObject()->GetDictionary();
    f.AddKey(PdfName::KeySubtype, PdfName("Type0"));
    f.AddKey("BaseFont", baseFont);
    m_pEncoding->AddToDictionary(f);
    PdfArray descendants;
    descendants.push_back(cidFont->Reference());
    f.AddKey("DescendantFonts", descendants);
    f.AddKey("ToUnicode", toUnicode->Reference());
}

}  // namespace avtaleflyt::documents::pdffonts
