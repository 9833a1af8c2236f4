#include <catch2/catch.hpp>

#include "TestSupport.h"
#include "avtaleflyt/documents/TableFile.h"

using namespace avtaleflyt;
using namespace avtaleflyt::documents;

namespace {

std::vector<std::vector<std::string>> cells(const Table& t) {
    std::vector<std::vector<std::string>> out;
    for (const auto& r : t.rows) out.push_back(r.cells);
    return out;
}

std::vector<int> lines(const Table& t) {
    std::vector<int> out;
    for (const auto& r : t.rows) out.push_back(r.line);
    return out;
}

}  // namespace

TEST_CASE("Excel's Norwegian CSV: semicolons, CRLF, BOM", "[csv]") {
    const auto t = parseCsv("\xEF\xBB\xBFNavn;E-post\r\nÅse Bø;ase@x.example\r\n", "a.csv");
    CHECK(cells(t) ==
          std::vector<std::vector<std::string>>{{"Navn", "E-post"}, {"Åse Bø", "ase@x.example"}});
    CHECK(t.source == "a.csv");
}

TEST_CASE("commas are detected when the header uses them", "[csv]") {
    const auto t = parseCsv("Name,Email,Unit\nLiv,liv@x.example,\"Post 1; sengepost\"\n", "a.csv");
    CHECK(cells(t) ==
          std::vector<std::vector<std::string>>{{"Name", "Email", "Unit"},
                                                {"Liv", "liv@x.example", "Post 1; sengepost"}});
}

TEST_CASE("tabs are detected too", "[csv]") {
    CHECK(cells(parseCsv("Navn\tE-post\nLiv\tliv@x.example\n", "a.txt"))[1] ==
          std::vector<std::string>{"Liv", "liv@x.example"});
}

TEST_CASE("an Excel sep= line names the delimiter and is skipped", "[csv]") {
    const auto t = parseCsv("sep=,\r\nNavn;Merknad,E-post\r\nLiv,a@x.example\r\n", "a.csv");
    CHECK(cells(t) == std::vector<std::vector<std::string>>{{"Navn;Merknad", "E-post"},
                                                            {"Liv", "a@x.example"}});
    CHECK(lines(t) == std::vector<int>{2, 3});
}

TEST_CASE("quoted fields keep delimiters, doubled quotes and line breaks, lines stay true",
          "[csv]") {
    const auto t = parseCsv(
        "Navn;Merknad\r\n\"Kari \"\"Kia\"\" Berg\";\"to\r\nlinjer\"\r\nO'Neil;x\r\n", "a.csv");
    CHECK(cells(t) == std::vector<std::vector<std::string>>{{"Navn", "Merknad"},
                                                            {"Kari \"Kia\" Berg", "to\nlinjer"},
                                                            {"O'Neil", "x"}});
    CHECK(lines(t) == std::vector<int>{1, 2, 4});
}

TEST_CASE("a file without a final line break keeps its last row, LF and CR alone work", "[csv]") {
    CHECK(cells(parseCsv("a;b\nc;d", "a.csv")).size() == 2);
    CHECK(cells(parseCsv("a;b\rc;d\r", "a.csv")) ==
          std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "d"}});
}

TEST_CASE("Windows-1252 is detected and converted to UTF-8", "[csv]") {
    const auto t = parseCsv(
        "Navn;Omr\xE5"
        "de\r\nBj\xF8rg \xD8"
        "deg\xE5rd;\xD8vre Romerike\r\n",
        "a.csv");
    CHECK(cells(t) == std::vector<std::vector<std::string>>{{"Navn", "Område"},
                                                            {"Bjørg Ødegård", "Øvre Romerike"}});
}

TEST_CASE("an unterminated quote is an error naming the line where it starts", "[csv]") {
    CHECK_THROWS_WITH(parseCsv("Navn;E-post\n\"Liv;liv@x.example\nEva;e@x.example\n", "liste.csv"),
                      "liste.csv:2: a quoted field is never closed (a \" is missing)");
}

TEST_CASE("UTF-16 (Excel's Unicode text) is refused with what to do instead", "[csv]") {
    CHECK_THROWS_WITH(parseCsv(std::string("\xFF\xFEN\0a\0", 6), "liste.txt"),
                      "liste.txt: the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV "
                      "UTF-8\" or as .xlsx");
}

TEST_CASE("written CSV has a BOM, semicolons, CRLF and quotes where needed, and reads back",
          "[csv]") {
    const std::vector<std::vector<std::string>> rows = {{"Navn", "Merknad"},
                                                        {"Kari \"Kia\" Berg", "a;b"},
                                                        {" mellomrom", "linje\nto"},
                                                        {"Åse", ""}};
    const std::string csv = formatCsv(rows);
    CHECK(csv.substr(0, 3) == "\xEF\xBB\xBF");
    CHECK(csv.find("\"Kari \"\"Kia\"\" Berg\";\"a;b\"\r\n") != std::string::npos);
    CHECK(cells(parseCsv(csv, "x.csv")) == rows);
}

TEST_CASE("a stray byte in a UTF-8 file is refused naming its line and column, not misread",
          "[csv]") {
    // Before, the whole file was read as Windows-1252, and "Område" became a missing column.
    CHECK_THROWS_WITH(
        parseCsv("Navn;Område\r\nÅse Bø;Follo\r\nBj\xF8rg;Ahus\r\n", "liste.csv"),
        "liste.csv:3: column 1: the byte 0xF8 after \"Bj\" is not UTF-8, which the rest of the "
        "file is; retype the letter there or save the file again as \"CSV UTF-8\"");
    // With a BOM the file says it is UTF-8, so one stray byte is enough.
    CHECK_THROWS_WITH(parseCsv("\xEF\xBB\xBFNavn;E-post\r\nLiv;liv@x.example\xE5\r\n", "liste.csv"),
                      "liste.csv:2: column 2: the byte 0xE5 after \"liv@x.example\" is not UTF-8, "
                      "which the rest of the file is; retype the letter there or save the file "
                      "again as \"CSV UTF-8\"");
    // Windows-1252 is still told by its bytes: every æ ø å is one that is not UTF-8.
    CHECK(cells(parseCsv("Navn;Omr\xE5"
                         "de\r\nBj\xF8rg;\xC5s\r\n",
                         "a.csv"))[1] == std::vector<std::string>{"Bjørg", "Ås"});
}

TEST_CASE("empty rows and cells right of the header's width are not kept", "[csv]") {
    const auto t =
        parseCsv("\r\n;;\r\nNavn;E-post;;\r\nLiv;liv@x.example;x;y;z\r\n ; \r\nEva\r\n", "a.csv");
    CHECK(cells(t) == std::vector<std::vector<std::string>>{
                          {"Navn", "E-post"}, {"Liv", "liv@x.example"}, {"Eva"}});
    CHECK(lines(t) == std::vector<int>{3, 4, 6});
}

TEST_CASE("a line of a million delimiters keeps nothing, and text beyond column 256 is refused",
          "[csv]") {
    const std::string wide = std::string(1000 * 1000, ';') + "\nNavn\n";
    if (const auto mib = test::peakMemoryGrowthMiB([&] { parseCsv(wide, "a.csv"); }))
        CHECK(*mib < 5);  // it took 32 bytes a cell: 32 MB
    CHECK(cells(parseCsv(wide, "a.csv")) == std::vector<std::vector<std::string>>{{"Navn"}});
    CHECK_THROWS_WITH(parseCsv(std::string(256, ';') + "Merknad\n", "a.csv"),
                      "a.csv:1: text beyond column 256 (a name list has at most 256 columns)");
}

TEST_CASE("a CSV over 16 MiB of cells, or with a cell over 128 KiB, is refused", "[csv]") {
    // 200 columns: each row of 200 bytes is 200 cells, 6,433 bytes as a table row.
    std::string rows = "Navn" + std::string(199, ';') + "Merknad\n";
    for (int i = 0; i < 6000; ++i) rows += std::string(199, ';') + "x\n";
    CHECK_THROWS_WITH(parseCsv(rows, "a.csv"),
                      "a.csv:2608: the file holds more than 16 MiB of cells and text, more than "
                      "a name list of 25,000 nurses; the import reads none of it");
    CHECK_THROWS_WITH(parseCsv("Navn\n" + std::string(128 * 1024 + 1, 'x') + "\n", "a.csv"),
                      "a.csv:2: a cell holds more than 128 KiB of text (Excel allows 32,767 "
                      "characters)");
}

TEST_CASE("CSV formula injection: a field a spreadsheet would run (= + - @) goes out as text "
          "behind a ', and reads back as it was (names went out verbatim)",
          "[csv]") {
    const std::vector<std::vector<std::string>> rows = {
        {"Navn", "Telefon", "Enhet"},
        {"=HYPERLINK(\"http://x.example\";\"Klikk\")", "+47 900 00 000", "@SUM(A1)"},
        {"-2+3", "'vanlig", "Tunet"}};
    const std::string csv = formatCsv(rows);
    CHECK(csv.find("\"'=HYPERLINK(\"\"http://x.example\"\";\"\"Klikk\"\")\"") != std::string::npos);
    CHECK(csv.find(";'+47 900 00 000;'@SUM(A1)\r\n") != std::string::npos);
    CHECK(csv.find("\r\n'-2+3;'vanlig;Tunet\r\n") != std::string::npos);
    CHECK(cells(parseCsv(csv, "a.csv")) == rows);  // a ' before anything else stays
}
