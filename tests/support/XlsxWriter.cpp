#include "XlsxWriter.h"

#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <zlib.h>

#include <map>
#include <sstream>
#include <stdexcept>

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::test {
namespace {

std::string columnName(std::size_t col) {
    std::string s;
    for (++col; col; col = (col - 1) / 26)
        s.insert(s.begin(), static_cast<char>('A' + (col - 1) % 26));
    return s;
}

bool allDigits(const std::string& s) {
    if (s.empty() || s.size() > 12)
        return false;
    for (const char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

void add(Poco::Zip::Compress& zip, const std::string& name, const std::string& content) {
    std::istringstream in(content);
    zip.addFile(in, Poco::DateTime(2024, 1, 1), Poco::Path(name, Poco::Path::PATH_UNIX));
}

const char* kNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

}  // namespace

std::map<std::string, std::string> xlsxParts(const std::vector<std::vector<std::string>>& rows,
                                             const XlsxOptions& o) {
    std::vector<std::string> shared;
    std::map<std::string, std::size_t> index;
    std::string sheet =
        std::string(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"") +
        kNs +
        "\" "
        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships\"><sheetData>";
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r].empty())
            continue;  // Excel writes no element for an empty row
        sheet += "<row r=\"" + std::to_string(r + 1) + "\">";
        for (std::size_t c = 0; c < rows[r].size(); ++c) {
            const std::string& v = rows[r][c];
            if (v.empty())
                continue;  // Excel leaves empty cells out
            const std::string ref = columnName(c) + std::to_string(r + 1);
            if (o.numericPhones && allDigits(v)) {
                sheet += "<c r=\"" + ref + "\"><v>" + v + "</v></c>";
            } else if (o.inlineStrings) {
                sheet += "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" +
                         avtaleflyt::text::escapeXml(v) + "</t></is></c>";
            } else {
                auto it = index.find(v);
                if (it == index.end()) {
                    it = index.emplace(v, shared.size()).first;
                    shared.push_back(v);
                }
                sheet +=
                    "<c r=\"" + ref + "\" t=\"s\"><v>" + std::to_string(it->second) + "</v></c>";
            }
        }
        sheet += "</row>";
    }
    sheet += "</sheetData></worksheet>";

    std::string sst =
        std::string(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"") +
        kNs + "\" count=\"" + std::to_string(shared.size()) + "\" uniqueCount=\"" +
        std::to_string(shared.size()) + "\">";
    for (std::size_t i = 0; i < shared.size(); ++i) {
        const std::string& s = shared[i];
        if (i == 0 && o.richTextFirstCell && s.size() > 2) {
            sst += "<si><r><rPr><b/></rPr><t>" + avtaleflyt::text::escapeXml(s.substr(0, 2)) +
                   "</t></r><r><t xml:space=\"preserve\">" +
                   avtaleflyt::text::escapeXml(s.substr(2)) +
                   "</t></r><rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si>";
        } else {
            sst += "<si><t xml:space=\"preserve\">" + avtaleflyt::text::escapeXml(s) + "</t></si>";
        }
    }
    sst += "</sst>";

    const std::string workbook =
        std::string(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"") +
        kNs +
        "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        "<sheets><sheet name=\"Navneliste\" sheetId=\"1\" r:id=\"rId3\"/>"
        "<sheet name=\"Notater\" sheetId=\"2\" r:id=\"rId1\"/></sheets></workbook>";
    const std::string rels =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
        "Target=\"worksheets/sheet2.xml\"/>"
        "<Relationship Id=\"rId2\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        "sharedStrings\" Target=\"sharedStrings.xml\"/>"
        "<Relationship Id=\"rId3\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
        "Target=\"/xl/worksheets/sheet1.xml\"/>"
        "</Relationships>";
    const std::string notes =
        std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"") + kNs +
        "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Ikke "
        "denne</t></is></c></row></sheetData></worksheet>";
    const std::string contentTypes =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>";

    std::map<std::string, std::string> parts = {{"[Content_Types].xml", contentTypes},
                                                {"xl/workbook.xml", workbook},
                                                {"xl/_rels/workbook.xml.rels", rels},
                                                {"xl/worksheets/sheet1.xml", sheet},
                                                {"xl/worksheets/sheet2.xml", notes}};
    if (!o.inlineStrings)
        parts["xl/sharedStrings.xml"] = sst;
    return parts;
}

std::string makeXlsx(const std::vector<std::vector<std::string>>& rows, const XlsxOptions& o) {
    auto parts = xlsxParts(rows, o);
    std::ostringstream out;
    Poco::Zip::Compress zip(out, true);
    const auto take = [&](const std::string& name) {
        const auto it = parts.find(name);
        if (it != parts.end())
            add(zip, name, it->second);
    };
    take("[Content_Types].xml");
    if (o.extraSheetFirstInZip)
        take("xl/worksheets/sheet2.xml");
    take("xl/workbook.xml");
    take("xl/_rels/workbook.xml.rels");
    take("xl/sharedStrings.xml");
    take("xl/worksheets/sheet1.xml");
    if (!o.extraSheetFirstInZip)
        take("xl/worksheets/sheet2.xml");
    zip.close();
    return out.str();
}

namespace {

// Raw deflate of `in` ending with `flush` (Z_FULL_FLUSH: byte-aligned, and later data never
// refers back to it).
std::string deflateRaw(z_stream& z, const std::string& in, int flush) {
    std::string out;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    char buffer[16384];
    do {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof buffer;
        if (deflate(&z, flush) == Z_STREAM_ERROR)
            throw std::runtime_error("deflate failed");
        out.append(buffer, sizeof buffer - z.avail_out);
    } while (z.avail_out == 0);
    return out;
}

std::uint32_t crcOf(const std::string& s, uLong crc = crc32(0, nullptr, 0)) {
    return static_cast<std::uint32_t>(
        crc32(crc, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

void put(std::string& out, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

}  // namespace

ZipPart repeatedPart(const std::string& name, const std::string& head, const std::string& chunk,
                     std::size_t copies, const std::string& tail) {
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
    ZipPart part;
    part.name = name;
    part.data = deflateRaw(z, head, Z_FULL_FLUSH);
    const std::string block = deflateRaw(z, chunk, Z_FULL_FLUSH);
    for (std::size_t i = 0; i < copies; ++i) part.data += block;
    part.data += deflateRaw(z, tail, Z_FINISH);
    deflateEnd(&z);
    uLong crc = crcOf(head);
    const uLong chunkCrc = crcOf(chunk);
    for (std::size_t i = 0; i < copies; ++i)
        crc = crc32_combine(crc, chunkCrc, static_cast<z_off_t>(chunk.size()));
    part.crc = crcOf(tail, crc);
    part.size = static_cast<std::uint32_t>(head.size() + copies * chunk.size() + tail.size());
    return part;
}

ZipPart zipPart(const std::string& name, const std::string& content, bool stored) {
    if (stored)
        return {name, content, static_cast<std::uint32_t>(content.size()), crcOf(content), true};
    return repeatedPart(name, content, "", 0, "");
}

std::string makeZip(const std::vector<ZipPart>& parts) {
    std::string out, directory;
    for (const auto& p : parts) {
        const auto offset = static_cast<std::uint32_t>(out.size());
        std::string common;  // version, flags, method, time, date, CRC, sizes, name length
        put(common, 20, 2);
        put(common, 0, 2);
        put(common, p.stored ? 0 : 8, 2);
        put(common, 0, 4);
        put(common, p.crc, 4);
        put(common, static_cast<std::uint32_t>(p.data.size()), 4);
        put(common, p.size, 4);
        put(common, static_cast<std::uint32_t>(p.name.size()), 2);
        put(out, 0x04034b50, 4);
        out += common;
        put(out, 0, 2);  // no extra field
        out += p.name + p.data;
        put(directory, 0x02014b50, 4);
        put(directory, 20, 2);  // made by
        directory += common;
        put(directory, 0, 4);  // no extra field, no comment
        put(directory, 0, 4);  // disk, internal attributes
        put(directory, 0, 4);  // external attributes
        put(directory, offset, 4);
        directory += p.name;
    }
    const auto directoryAt = static_cast<std::uint32_t>(out.size());
    out += directory;
    put(out, 0x06054b50, 4);
    put(out, 0, 4);  // disks
    put(out, static_cast<std::uint32_t>(parts.size()), 2);
    put(out, static_cast<std::uint32_t>(parts.size()), 2);
    put(out, static_cast<std::uint32_t>(directory.size()), 4);
    put(out, directoryAt, 4);
    put(out, 0, 2);  // no comment
    return out;
}

std::string makeZip(const std::map<std::string, std::string>& parts) {
    std::vector<ZipPart> zipped;
    for (const auto& [name, content] : parts) zipped.push_back(zipPart(name, content));
    return makeZip(zipped);
}

}  // namespace avtaleflyt::test
