// The hostile name lists of issue 14, for scripts/bench-import.sh to import and measure (peak
// memory), beside a normal list as the reference.
//   hostile_rosters LIST.csv DIR   writes into DIR, from the sample name list LIST.csv:
//     reference.xlsx  the list itself as a workbook
//     entity.xlsx     the list with a DTD in its shared strings: one 50 KB entity used 50,000
//                     times (about 20 KB; 17 GB before)
//     inflate.xlsx    a sheet of the list's header and 2 GiB of spaces (a 2 MB zip; 4.2 GB)
//     xfd.xlsx        the list with a cell at column XFD in each row below the header and in
//                     further rows up to row 10,001: 10,000 such cells (72 KB; 5.2 GB)
//     budget.xlsx     the most the limits let through: one 100 KB shared string in as many
//                     cells as kMaxTableBytes allows, less a few for the header
// The workbooks are made with the tests' writer (tests/support/XlsxWriter), as the tests make
// the same cases smaller.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "XlsxWriter.h"
#include "avtaleflyt/documents/TableFile.h"

using namespace avtaleflyt;

namespace {

const std::string kNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const std::string kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const std::string kSheet = "xl/worksheets/sheet1.xml";

void write(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string inlineCell(const std::string& ref, const std::string& text) {
    return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + text + "</t></is></c>";
}

// The header row of the list as the XML of row 1.
std::string headerRow(const std::vector<std::string>& header) {
    std::string row = "<row r=\"1\">";
    for (std::size_t c = 0; c < header.size() && c < 26; ++c)
        row += inlineCell(std::string(1, static_cast<char>('A' + c)) + "1", header[c]);
    return row + "</row>";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: hostile_rosters LIST.csv DIR\n");
        return 2;
    }
    const std::string dir = argv[2];
    const Table list = documents::parseCsv(read(argv[1]), argv[1]);
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : list.rows) rows.push_back(r.cells);
    const auto& header = rows.at(0);
    const std::string worksheet = kDeclaration + "<worksheet xmlns=\"" + kNs + "\"><sheetData>";

    write(dir + "/reference.xlsx", test::makeXlsx(rows));

    auto parts = test::xlsxParts(rows);
    std::string uses;
    for (int i = 0; i < 50000; ++i) uses += "&e;";
    parts["xl/sharedStrings.xml"] = kDeclaration + "<!DOCTYPE sst [<!ENTITY e \"" +
                                    std::string(50000, 'x') + "\">]><sst xmlns=\"" + kNs +
                                    "\"><si><t>" + uses + "</t></si></sst>";
    write(dir + "/entity.xlsx", test::makeZip(parts));

    std::vector<test::ZipPart> bomb;
    for (const auto& [name, content] : test::xlsxParts(rows))
        if (name != kSheet)
            bomb.push_back(test::zipPart(name, content));
    bomb.push_back(test::repeatedPart(kSheet, worksheet + headerRow(header) + "</sheetData>",
                                      std::string(1024 * 1024, ' '), 2048, "</worksheet>"));
    write(dir + "/inflate.xlsx", test::makeZip(bomb));

    // The list's rows each with a cell at XFD (the header without), and rows of only such a
    // cell up to row 10,001.
    parts = test::xlsxParts(rows);
    std::string& sheet = parts[kSheet];
    int last = 1;
    for (std::size_t at = sheet.find("<row r=\"2\""); at != std::string::npos;
         at = sheet.find("<row r=\"", at + 1)) {
        last = std::stoi(sheet.substr(at + 8));
        const std::string cell = "<c r=\"XFD" + std::to_string(last) + "\"><v>1</v></c>";
        sheet.insert(sheet.find("</row>", at), cell);
    }
    std::string more;
    for (int r = last + 1; r <= 10001; ++r) {
        const std::string n = std::to_string(r);
        more += "<row r=\"" + n + "\"><c r=\"XFD" + n + "\"><v>1</v></c></row>";
    }
    sheet.insert(sheet.find("</sheetData>"), more);
    write(dir + "/xfd.xlsx", test::makeZip(parts));

    parts = test::xlsxParts(rows);
    parts["xl/sharedStrings.xml"] = kDeclaration + "<sst xmlns=\"" + kNs + "\"><si><t>" +
                                    std::string(100000, 'x') + "</t></si></sst>";
    std::string full = worksheet + headerRow(header);
    const int copies = static_cast<int>(documents::kMaxTableBytes / (100000 + 64)) - 2;
    for (int r = 2; r <= copies + 1; ++r)
        full += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) +
                "\" t=\"s\"><v>0</v></c></row>";
    parts[kSheet] = full + "</sheetData></worksheet>";
    write(dir + "/budget.xlsx", test::makeZip(parts));
    return 0;
}
