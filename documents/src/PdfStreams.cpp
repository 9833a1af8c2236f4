#include "PdfStreams.h"

#include <zlib.h>

#include "avtaleflyt/documents/Pdf.h"

using namespace PoDoFo;

namespace avtaleflyt::documents {

std::string deflated(const char* data, std::size_t size, int level) {
    // A window no larger than the data: the same matches, and less of zlib's memory to set up.
    int windowBits = 9;
    while (windowBits < MAX_WBITS && (std::size_t{1} << windowBits) < size) ++windowBits;
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw documents::PdfError("cannot compress a PDF stream");
    std::string out(deflateBound(&z, static_cast<uLong>(size)), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z.avail_in = static_cast<uInt>(size);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int result = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (result != Z_STREAM_END)
        throw documents::PdfError("cannot compress a PDF stream");
    return out;
}

void setFlateStream(PdfObject* object, const std::string& encoded) {
    PdfMemoryInputStream in(encoded.data(), static_cast<pdf_long>(encoded.size()));
    object->GetStream()->SetRawData(&in, static_cast<pdf_long>(encoded.size()));
    object->GetDictionary().AddKey(PdfName::KeyFilter, PdfName("FlateDecode"));
}

void compressStreams(PdfVecObjects& objects, int level) {
    const PdfName metadata("Metadata");
    for (PdfObject* object : objects) {
        if (!object->HasStream() || object->GetDictionary().HasKey(PdfName::KeyFilter))
            continue;
        const PdfObject* type = object->GetDictionary().GetKey(PdfName::KeyType);
        if (type && type->IsName() && type->GetName() == metadata)
            continue;
        const auto* stream = static_cast<const PdfMemStream*>(object->GetStream());
        setFlateStream(
            object, deflated(stream->Get(), static_cast<std::size_t>(stream->GetLength()), level));
    }
}

}  // namespace avtaleflyt::documents
