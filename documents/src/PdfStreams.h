#pragma once
// The streams of the rendered PDFs, compressed by this module rather than by PoDoFo (which
// deflates at zlib's default level, and deflates a page's content again each time it is
// appended to): configurePodofo() in Pdf.cpp tells PoDoFo to write every stream plain.

#include <podofo/podofo.h>

#include <cstddef>
#include <string>

namespace avtaleflyt::documents {

// `size` bytes from `data` compressed with zlib at `level`: the content of a stream with the
// FlateDecode filter. Throws documents::PdfError if zlib fails.
std::string deflated(const char* data, std::size_t size, int level);

// Makes `encoded`, bytes compressed by deflated(), the content of `object`'s stream, with the
// FlateDecode filter.
void setFlateStream(PoDoFo::PdfObject* object, const std::string& encoded);

// Compresses at `level` each stream of `objects` that has no filter yet, except the XMP
// metadata, which stays readable as it is.
void compressStreams(PoDoFo::PdfVecObjects& objects, int level);

// PoDoFo made quiet (no debug lines on standard output) and told to write streams plain, once
// per process (Pdf.cpp); every entry point into PoDoFo calls it first.
void configurePodofo();

}  // namespace avtaleflyt::documents
