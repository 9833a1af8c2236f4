#include <catch2/catch.hpp>

#include "TestSupport.h"
#include "XlsxWriter.h"
#include "avtaleflyt/documents/TableFile.h"

using namespace avtaleflyt;
using namespace avtaleflyt::documents;

namespace {

const std::vector<std::vector<std::string>> kRows = {
    {"Navn", "E-post", "Telefon", "Område"},
    {"Åse Ødegård-Bø", "ase@x.example", "41234567", "Øvre Romerike"},
    {"Kari \"Kia\" O'Neil", "kari@x.example", "", "Follo"},
    {},
    {"Liv <Lie> & co", "", "90000000", "Ahus"},
};

std::vector<std::vector<std::string>> cells(const Table& t) {
    std::vector<std::vector<std::string>> out;
    for (const auto& r : t.rows) out.push_back(r.cells);
    return out;
}

const std::string kSheet = "xl/worksheets/sheet1.xml";
const std::string kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const std::string kWorksheet =
    kXmlDeclaration +
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">";

// A sheet of `rows` (the XML of <row> elements) for the workbook of kRows.
std::string sheetXml(const std::string& rows) {
    return kWorksheet + "<sheetData>" + rows + "</sheetData></worksheet>";
}

// The workbook of kRows with `sheet` as its first sheet.
std::string withSheet(const std::string& sheet) {
    auto parts = test::xlsxParts(kRows);
    parts[kSheet] = sheet;
    return test::makeZip(parts);
}

std::string inlineCell(const std::string& ref, const std::string& text) {
    return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + text + "</t></is></c>";
}

// The header row of the sheets below: Navn, E-post, Telefon, Område in A1 to D1.
const std::string kHeaderRow = "<row r=\"1\">" + inlineCell("A1", "Navn") +
                               inlineCell("B1", "E-post") + inlineCell("C1", "Telefon") +
                               inlineCell("D1", "Område") + "</row>";

std::string errorOf(const std::string& bytes) {
    try {
        parseXlsx(bytes, "liste.xlsx");
    } catch (const TableFileError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("an .xlsx first sheet reads with shared strings, skipped cells and row numbers",
          "[xlsx]") {
    const auto t = parseXlsx(test::makeXlsx(kRows), "liste.xlsx");
    REQUIRE(t.rows.size() == 4);  // the empty row 4 is not in the sheet at all
    CHECK(t.rows[0].cells == kRows[0]);
    CHECK(t.rows[1].cells == kRows[1]);
    CHECK(t.rows[2].cells ==
          std::vector<std::string>{"Kari \"Kia\" O'Neil", "kari@x.example", "", "Follo"});
    CHECK(t.rows[3].line == 5);
    CHECK(t.rows[3].cells == std::vector<std::string>{"Liv <Lie> & co", "", "90000000", "Ahus"});
}

TEST_CASE("inline strings, numeric cells and rich text read as text", "[xlsx]") {
    test::XlsxOptions o;
    o.inlineStrings = true;
    o.numericPhones = true;
    CHECK(cells(parseXlsx(test::makeXlsx(kRows, o), "l.xlsx"))[1] == kRows[1]);
    test::XlsxOptions rich;
    rich.richTextFirstCell = true;
    CHECK(parseXlsx(test::makeXlsx(kRows, rich), "l.xlsx").rows[0].cells[0] == "Navn");
}

TEST_CASE("the first sheet is the workbook's first, not the zip's first", "[xlsx]") {
    test::XlsxOptions o;
    o.extraSheetFirstInZip = true;
    CHECK(parseXlsx(test::makeXlsx(kRows, o), "l.xlsx").rows[0].cells == kRows[0]);
}

TEST_CASE("a file that is not a workbook gets a clear error", "[xlsx]") {
    CHECK_THROWS_WITH(parseXlsx("Navn;E-post\r\n", "liste.xlsx"),
                      "liste.xlsx: not an .xlsx workbook (not a zip archive)");
    CHECK_THROWS_WITH(
        parseXlsx(test::makeZip(std::map<std::string, std::string>{{"a.txt", "x"}}), "liste.xlsx"),
        "liste.xlsx: not an .xlsx workbook (xl/workbook.xml is missing)");
}

TEST_CASE("readTableFile picks the reader by extension and refuses .xls and missing files",
          "[xlsx]") {
    test::TempDir dir;
    test::writeFile(dir.file("liste.XLSX"), test::makeXlsx(kRows));
    CHECK(readTableFile(dir.file("liste.XLSX")).rows[1].cells == kRows[1]);
    test::writeFile(dir.file("liste.xls"), "x");
    CHECK_THROWS_WITH(readTableFile(dir.file("liste.xls")),
                      dir.file("liste.xls") +
                          ": the old Excel format (.xls) is not read; save it as .xlsx or CSV");
    CHECK_THROWS_WITH(readTableFile(dir.file("mangler.csv")),
                      dir.file("mangler.csv") + ": no such file");
}

TEST_CASE("a DTD in any workbook part is refused, naming the file and the part", "[xlsx]") {
    for (const std::string part : {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                   "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"}) {
        auto parts = test::xlsxParts(kRows);
        std::string& xml = parts[part];
        xml.insert(xml.find("?>") + 2, "<!DOCTYPE x [<!ENTITY e \"e\">]>");
        CHECK(errorOf(test::makeZip(parts)) ==
              "liste.xlsx: " + part +
                  " has a DTD (<!DOCTYPE>), which Excel never writes; the workbook is refused");
    }
}

TEST_CASE("entity expansion: a 50 KB entity used 50,000 times is refused before any expansion",
          "[xlsx]") {
    auto parts = test::xlsxParts(kRows);
    std::string uses;
    for (int i = 0; i < 50000; ++i) uses += "&e;";
    parts["xl/sharedStrings.xml"] =
        kXmlDeclaration + "<!DOCTYPE sst [<!ENTITY e \"" + std::string(50000, 'x') +
        "\">]><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>" +
        uses + "</t></si></sst>";
    const std::string bomb = test::makeZip(parts);
    CHECK(bomb.size() < 25000);  // the 20 KB workbook that took 17 GB
    CHECK(errorOf(bomb) ==
          "liste.xlsx: xl/sharedStrings.xml has a DTD (<!DOCTYPE>), which Excel never writes; "
          "the workbook is refused");
    if (const auto mib = test::peakMemoryGrowthMiB([&] { parseXlsx(bomb, "liste.xlsx"); }))
        CHECK(*mib < 10);
}

TEST_CASE("a sheet that unpacks to 2 GiB is refused at 64 MiB, while unpacking", "[xlsx]") {
    std::vector<test::ZipPart> parts;
    for (const auto& [name, content] : test::xlsxParts(kRows))
        if (name != kSheet)
            parts.push_back(test::zipPart(name, content));
    // 2 GiB of spaces between the sheet's data and its end: well-formed, and nothing to keep.
    parts.push_back(test::repeatedPart(kSheet,
                                       kWorksheet + "<sheetData>" + kHeaderRow + "</sheetData>",
                                       std::string(1024 * 1024, ' '), 2048, "</worksheet>"));
    const std::string bomb = test::makeZip(parts);
    CHECK(bomb.size() < 3 * 1024 * 1024);  // the 2 MB zip that took 4.2 GB
    CHECK(errorOf(bomb) ==
          "liste.xlsx: xl/worksheets/sheet1.xml unpacks to more than 64 MiB; the workbook is "
          "refused");
    if (const auto mib = test::peakMemoryGrowthMiB([&] { parseXlsx(bomb, "liste.xlsx"); }))
        CHECK(*mib < 20);
}

TEST_CASE("10,000 cells at column XFD keep nothing right of the header's width", "[xlsx]") {
    std::string rows = kHeaderRow;
    for (int r = 2; r <= 10001; ++r) {
        const std::string n = std::to_string(r);
        rows += "<row r=\"" + n + "\">" + inlineCell("A" + n, "Liv") + "<c r=\"XFD" + n +
                "\"><v>1</v></c></row>";
    }
    const std::string xfd = withSheet(sheetXml(rows));
    CHECK(xfd.size() < 100 * 1024);  // the 72 KB file that took 5.2 GB
    const auto t = parseXlsx(xfd, "liste.xlsx");
    REQUIRE(t.rows.size() == 10001);
    CHECK(t.rows[0].cells == kRows[0]);
    CHECK(t.rows[10000].cells == std::vector<std::string>{"Liv"});
    CHECK(t.rows[10000].line == 10001);
    if (const auto mib = test::peakMemoryGrowthMiB([&] { parseXlsx(xfd, "liste.xlsx"); }))
        CHECK(*mib < 20);
    // A header reaching that far is refused: it would make every row as wide.
    CHECK(errorOf(withSheet(sheetXml("<row r=\"1\">" + inlineCell("A1", "Navn") +
                                     inlineCell("XFD1", "Merknad") + "</row>"))) ==
          "liste.xlsx: sheet \"Navneliste\", cell XFD1: text beyond column 256 (a name list has "
          "at most 256 columns)");
}

TEST_CASE("malformed rows and cells name the sheet, the cell and the cause", "[xlsx]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"<row r=\"2\"><c r=\"B2\" t=\"s\"><v>abc</v></c></row>",
         "cell B2: the cell refers to shared string \"abc\", which is not a number"},
        {"<row r=\"2\"><c r=\"B2\" t=\"s\"><v>99</v></c></row>",
         "cell B2: the cell refers to shared string \"99\", which does not exist (the workbook "
         "has 14)"},
        {"<row r=\"2\"><c r=\"B2\" t=\"s\"><v>-1</v></c></row>",
         "cell B2: the cell refers to shared string \"-1\", which is not a number"},
        {"<row r=\"2147483647\"><c r=\"A1\"><v>1</v></c></row>",
         "after row 1: a row numbered \"2147483647\", which is not a row number (1 to 1048576)"},
        {"<row r=\"-3\"/>",
         "after row 1: a row numbered \"-3\", which is not a row number (1 to 1048576)"},
        {"<row r=\"2\"><c r=\"2B\"><v>1</v></c></row>",
         "row 2: a cell named \"2B\", which is not a cell reference (A1 to XFD1048576)"},
        {"<row r=\"2\"><c r=\"XFE2\"><v>1</v></c></row>",
         "row 2: a cell named \"XFE2\", which is not a cell reference (A1 to XFD1048576)"},
        {"<row r=\"1048576\"/><row><c><v>1</v></c></row>",
         "after row 1048576: a row after Excel's last row (1048576)"},
    };
    for (const auto& [row, message] : cases) {
        INFO(row);
        CHECK(errorOf(withSheet(sheetXml(kHeaderRow + row))) ==
              "liste.xlsx: sheet \"Navneliste\", " + message);
    }
}

TEST_CASE("invalid UTF-8 in a sheet names the cell it is in", "[xlsx]") {
    CHECK(errorOf(withSheet(
              sheetXml(kHeaderRow + "<row r=\"2\">" + inlineCell("A2", "Bj\xF8rg") + "</row>"))) ==
          "liste.xlsx: sheet \"Navneliste\", cell A2: xl/worksheets/sheet1.xml is not "
          "well-formed XML (line 2: Input is not proper UTF-8, indicate encoding ! Bytes: 0xF8 "
          "0x72 0x67 0x3C)");
}

TEST_CASE("a cell over 128 KiB and a sheet over 16 MiB of cells are refused", "[xlsx]") {
    CHECK(errorOf(
              withSheet(sheetXml(kHeaderRow + "<row r=\"2\">" +
                                 inlineCell("A2", std::string(128 * 1024 + 1, 'x')) + "</row>"))) ==
          "liste.xlsx: sheet \"Navneliste\", cell A2: a cell holds more than 128 KiB of text "
          "(Excel allows 32,767 characters)");
    // One shared string of 100 KB in 400 cells: each cell is a copy.
    auto parts = test::xlsxParts(kRows);
    parts["xl/sharedStrings.xml"] =
        kXmlDeclaration +
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>" +
        std::string(100000, 'x') + "</t></si></sst>";
    std::string rows = kHeaderRow;
    for (int r = 2; r < 402; ++r)
        rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) +
                "\" t=\"s\"><v>0</v></c></row>";
    parts[kSheet] = sheetXml(rows);
    CHECK(errorOf(test::makeZip(parts)) ==
          "liste.xlsx: sheet \"Navneliste\", row 168: the file holds more than 16 MiB of cells "
          "and text, more than a name list of 25,000 nurses; the import reads none of it");
}

TEST_CASE("stored parts are read, and a damaged part is refused naming it", "[xlsx]") {
    std::vector<test::ZipPart> parts;
    for (const auto& [name, content] : test::xlsxParts(kRows))
        parts.push_back(test::zipPart(name, content, true));
    CHECK(cells(parseXlsx(test::makeZip(parts), "liste.xlsx"))[1] == kRows[1]);
    for (auto& p : parts)
        if (p.name == kSheet)
            p.crc ^= 1;
    CHECK(errorOf(test::makeZip(parts)) ==
          "liste.xlsx: xl/worksheets/sheet1.xml is damaged (its checksum does not match); the "
          "workbook is refused");
}
