#include "XlsxWriter.h"

#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>

#include <map>

#include <sstream>
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

std::string makeXlsx(const std::vector<std::vector<std::string>>& rows, const XlsxOptions& o) {
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

    std::ostringstream out;
    Poco::Zip::Compress zip(out, true);
    add(zip, "[Content_Types].xml", contentTypes);
    if (o.extraSheetFirstInZip)
        add(zip, "xl/worksheets/sheet2.xml", notes);
    add(zip, "xl/workbook.xml", workbook);
    add(zip, "xl/_rels/workbook.xml.rels", rels);
    if (!o.inlineStrings)
        add(zip, "xl/sharedStrings.xml", sst);
    add(zip, "xl/worksheets/sheet1.xml", sheet);
    if (!o.extraSheetFirstInZip)
        add(zip, "xl/worksheets/sheet2.xml", notes);
    zip.close();
    return out.str();
}

}  // namespace avtaleflyt::test
