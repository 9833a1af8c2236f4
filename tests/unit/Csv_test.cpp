#include <catch2/catch.hpp>

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
