#pragma once
// The two fonts of every rendered PDF, DejaVu Sans and DejaVu Sans Bold, embedded as subsets.
//
// PoDoFo's own subset fonts read the font file, set up FreeType for it and subset and compress
// it again in every document. Here a font file is read and measured once per process (a
// FontFace, shared by all threads, never changed after it is loaded), and a subset once per
// distinct set of characters (kept in the FontFace, most recent first). A document's fonts
// (SubsetFont) only record which characters were drawn and, when the document is finished,
// refer to the ready subset.

#include <podofo/podofo.h>

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace avtaleflyt::documents::pdffonts {

// A subset of a FontFace, ready to embed: the streams are FlateDecode-encoded.
struct Subset {
    std::vector<std::uint16_t> characters;  // the code points it covers, ascending
    std::string baseFont;                   // tagged name, e.g. "KQWMRE+DejaVuSans"
    std::string fontFile;                   // the TrueType subset (FontFile2)
    std::size_t fontFileSize = 0;           // its size before compression (Length1)
    std::string toUnicode;                  // the ToUnicode CMap
    std::string cidSet;                     // the CIDSet (PDF/A)
    std::string widths;                     // the CIDFont's W array, written out
};

// One TrueType font file, measured through PoDoFo's FreeType metrics when it is loaded.
class FontFace {
  public:
    // Reads and measures `path`. Throws documents::PdfError if the file is missing.
    explicit FontFace(const char* path);

    const std::string& bytes() const { return bytes_; }
    // The glyph of a code point of the Basic Multilingual Plane; 0 (.notdef) if it has none.
    std::uint16_t glyph(std::uint16_t codePoint) const { return glyphs_[codePoint]; }
    // The advance width of a glyph in 1/1000 em, as PdfFontMetricsFreetype::GetGlyphWidth.
    double glyphWidth(std::uint16_t glyph) const {
        return glyph < glyphWidths_.size() ? glyphWidths_[glyph] : 0.0;
    }

    // The metrics as PdfFontMetricsFreetype has them: per point of font size where it scales
    // them by the size, else as it gives them.
    const std::string& postScriptName() const { return postScriptName_; }
    double lineSpacing = 0, underlineThickness = 0, underlinePosition = 0, strikeOutPosition = 0,
           strikeOutThickness = 0, ascent = 0, descent = 0, pdfAscent = 0, pdfDescent = 0;
    std::array<double, 4> boundingBox{};
    unsigned int weight = 0;
    int italicAngle = 0;

    // The subset covering exactly `characters` (code points, ascending), made and compressed
    // on first use. Safe to call from several threads.
    std::shared_ptr<const Subset> subset(const std::vector<std::uint16_t>& characters) const;

  private:
    std::shared_ptr<const Subset> makeSubset(const std::vector<std::uint16_t>& characters) const;

    std::string bytes_;
    std::vector<std::uint16_t> glyphs_;  // per code point 0..0xffff
    std::vector<double> glyphWidths_;    // per glyph id
    std::string postScriptName_;

    mutable std::mutex mutex_;                                 // guards recent_
    mutable std::list<std::shared_ptr<const Subset>> recent_;  // most recently used first
};

// DejaVu Sans (bold or not), loaded on first use; safe to call from several threads.
const FontFace& dejaVuSans(bool bold);

// A document's font of a FontFace: Type 0 with Identity-H encoding over a CIDFontType2, the
// glyph ids of the whole font as CIDs. It records the characters drawn with it. It is not in
// the document's font cache: the caller owns it, calls EmbedSubsetFont() once drawing is done
// and before writing, and deletes it after writing.
class SubsetFont final : public PoDoFo::PdfFont {
  public:
    SubsetFont(const FontFace& face, PoDoFo::PdfVecObjects* objects);

    // Appends `text` to `content` as a hex string of glyph ids, with tabs as four spaces, as
    // PdfFont::WriteStringToStream after PdfPainter::DrawText, and records its characters.
    void show(const PoDoFo::PdfString& text, std::string& content);
    // How PdfPainter::DrawText records the characters it draws with a subsetting font.
    void AddUsedSubsettingGlyphs(const PoDoFo::PdfString& text, long length) override;
    // Adds the font's descendant, descriptor, widths, ToUnicode and font file: the subset of
    // the characters drawn and of those every subset has (kCommonCharacters in the .cpp).
    void EmbedSubsetFont() override;

  private:
    void record(std::uint16_t codePoint) {
        used_[codePoint / 64] |= std::uint64_t{1} << (codePoint % 64);
    }

    const FontFace& face_;
    std::array<std::uint64_t, 0x10000 / 64> used_{};  // one bit per code point drawn
};

}  // namespace avtaleflyt::documents::pdffonts
