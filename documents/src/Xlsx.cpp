#include <Poco/Exception.h>
#include <Poco/StreamCopier.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "avtaleflyt/documents/TableFile.h"

namespace avtaleflyt::documents {
namespace {

using XmlDoc = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

class Workbook {
  public:
    Workbook(const std::string& bytes, std::string source)
        : bytes_(bytes), source_(std::move(source)) {
        try {
            std::istringstream in(bytes_);
            archive_.emplace(in);
        } catch (const Poco::Exception& e) {
            fail("not a readable .xlsx workbook (" + e.displayText() + ")");
        }
    }

    [[noreturn]] void fail(const std::string& why) const {
        throw TableFileError(source_ + ": " + why);
    }

    std::optional<std::string> entry(const std::string& name) const {
        const auto it = archive_->findHeader(name);
        if (it == archive_->headerEnd())
            return std::nullopt;
        try {
            std::istringstream in(bytes_);
            Poco::Zip::ZipInputStream zin(in, it->second);
            std::string out;
            Poco::StreamCopier::copyToString(zin, out);
            return out;
        } catch (const Poco::Exception& e) {
            fail("cannot unpack " + name + " (" + e.displayText() + ")");
        }
    }

    XmlDoc xml(const std::string& name, const std::string& content) const {
        XmlDoc doc(
            xmlReadMemory(content.data(), static_cast<int>(content.size()), name.c_str(), nullptr,
                          XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
            &xmlFreeDoc);
        if (!doc)
            fail(name + " is not well-formed XML");
        return doc;
    }

  private:
    const std::string& bytes_;
    std::string source_;
    std::optional<Poco::Zip::ZipArchive> archive_;
};

bool isElement(const xmlNode* n, const char* localName) {
    return n->type == XML_ELEMENT_NODE &&
           std::strcmp(reinterpret_cast<const char*>(n->name), localName) == 0;
}

std::string attribute(const xmlNode* n, const char* name) {
    for (const xmlAttr* a = n->properties; a; a = a->next) {
        if (std::strcmp(reinterpret_cast<const char*>(a->name), name) == 0) {
            xmlChar* v = xmlNodeGetContent(a->children);
            std::string s = v ? reinterpret_cast<const char*>(v) : "";
            xmlFree(v);
            return s;
        }
    }
    return {};
}

std::string content(const xmlNode* n) {
    xmlChar* v = xmlNodeGetContent(n);
    std::string s = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
}

// All <t> text of a string item, skipping phonetic runs (<rPh>).
void collectText(const xmlNode* n, std::string& out) {
    for (const xmlNode* c = n->children; c; c = c->next) {
        if (isElement(c, "t")) {
            out += content(c);
        } else if (c->type == XML_ELEMENT_NODE && !isElement(c, "rPh")) {
            collectText(c, out);
        }
    }
}

const xmlNode* child(const xmlNode* n, const char* localName) {
    for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (isElement(c, localName))
            return c;
    return nullptr;
}

// "B7" -> column 1 (from 0); nothing if it does not start with letters.
std::optional<std::size_t> columnOf(const std::string& ref) {
    std::size_t col = 0, i = 0;
    for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i)
        col = col * 26 + static_cast<std::size_t>(ref[i] - 'A' + 1);
    if (i == 0 || col > 16384)
        return std::nullopt;
    return col - 1;
}

// Excel stores numbers as doubles in text; whole numbers (phone numbers) print without ".0".
std::string numberText(const std::string& v) {
    const auto dot = v.find('.');
    if (dot != std::string::npos && v.find_first_not_of('0', dot + 1) == std::string::npos)
        return v.substr(0, dot);
    return v;
}

std::string resolveTarget(const std::string& target) {
    if (!target.empty() && target[0] == '/')
        return target.substr(1);
    return "xl/" + target;
}

}  // namespace

Table parseXlsx(const std::string& bytes, const std::string& source) {
    Workbook book(bytes, source);
    const auto workbookXml = book.entry("xl/workbook.xml");
    if (!workbookXml)
        book.fail("not an .xlsx workbook (xl/workbook.xml is missing)");
    const XmlDoc workbook = book.xml("xl/workbook.xml", *workbookXml);
    const xmlNode* sheets = child(xmlDocGetRootElement(workbook.get()), "sheets");
    const xmlNode* first = child(sheets, "sheet");
    if (!first)
        book.fail("the workbook has no sheets");
    const std::string relId = attribute(first, "id");

    std::string sheetPath = "xl/worksheets/sheet1.xml";
    if (const auto rels = book.entry("xl/_rels/workbook.xml.rels")) {
        const XmlDoc relsDoc = book.xml("xl/_rels/workbook.xml.rels", *rels);
        for (const xmlNode* r = xmlDocGetRootElement(relsDoc.get())->children; r; r = r->next)
            if (isElement(r, "Relationship") && attribute(r, "Id") == relId)
                sheetPath = resolveTarget(attribute(r, "Target"));
    }

    std::vector<std::string> shared;
    if (const auto sst = book.entry("xl/sharedStrings.xml")) {
        const XmlDoc sstDoc = book.xml("xl/sharedStrings.xml", *sst);
        for (const xmlNode* si = xmlDocGetRootElement(sstDoc.get())->children; si; si = si->next) {
            if (!isElement(si, "si"))
                continue;
            std::string s;
            collectText(si, s);
            shared.push_back(std::move(s));
        }
    }

    const auto sheetXml = book.entry(sheetPath);
    if (!sheetXml)
        book.fail("the first sheet (" + sheetPath + ") is missing");
    const XmlDoc sheet = book.xml(sheetPath, *sheetXml);
    const xmlNode* data = child(xmlDocGetRootElement(sheet.get()), "sheetData");

    Table table;
    table.source = source;
    int nextRow = 1;
    for (const xmlNode* r = data ? data->children : nullptr; r; r = r->next) {
        if (!isElement(r, "row"))
            continue;
        TableRow row;
        const std::string rowNumber = attribute(r, "r");
        row.line = rowNumber.empty() ? nextRow : std::stoi(rowNumber);
        nextRow = row.line + 1;
        std::size_t nextCol = 0;
        for (const xmlNode* c = r->children; c; c = c->next) {
            if (!isElement(c, "c"))
                continue;
            const std::size_t col = columnOf(attribute(c, "r")).value_or(nextCol);
            nextCol = col + 1;
            const std::string type = attribute(c, "t");
            std::string value;
            if (type == "inlineStr") {
                if (const xmlNode* is = child(c, "is"))
                    collectText(is, value);
            } else if (const xmlNode* v = child(c, "v")) {
                const std::string raw = content(v);
                if (type == "s") {
                    const std::size_t index = static_cast<std::size_t>(std::stoul(raw));
                    if (index >= shared.size())
                        book.fail("row " + std::to_string(row.line) +
                                  ": a cell refers to shared string " + raw +
                                  ", which does not exist");
                    value = shared[index];
                } else if (type == "b") {
                    value = raw == "1" ? "TRUE" : "FALSE";
                } else if (type == "str" || type == "e") {
                    value = raw;
                } else {
                    value = numberText(raw);
                }
            }
            if (row.cells.size() <= col)
                row.cells.resize(col + 1);
            row.cells[col] = value;
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

}  // namespace avtaleflyt::documents
