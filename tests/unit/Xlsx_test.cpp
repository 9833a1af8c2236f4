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
