// The official schemas shipped inside the binary: the same bytes as the project's copy (and the
// sums its SOURCE.md gives), and validation that finds its imports without any folder on disk.
#include <catch2/catch.hpp>

#include <regex>

#include "TestSupport.h"
#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/archive/Schemas.h"

using namespace avtaleflyt;

namespace {

const std::string kSchemaDir = std::string(AVTALEFLYT_SOURCE_DIR) + "/archive/schemas";

// The SHA-256 that archive/schemas/SOURCE.md gives for `file` in the section of `set`.
std::string documentedSha(const std::string& set, const std::string& file) {
    const std::string doc = test::readFile(kSchemaDir + "/SOURCE.md");
    const auto section = doc.find("## " + set + "/");
    REQUIRE(section != std::string::npos);
    const auto row = doc.find("| " + file + " |", section);
    REQUIRE(row != std::string::npos);
    std::smatch m;
    const std::string line = doc.substr(row, doc.find('\n', row) - row);
    REQUIRE(std::regex_search(line, m, std::regex("([0-9a-f]{64}) \\|$")));
    return m[1];
}

}  // namespace

TEST_CASE("the shipped schemas are the project's official copies byte for byte, as SOURCE.md says",
          "[schemas]") {
    for (const auto& [set, files] :
         {std::pair<std::string, const archive::SchemaFiles*>{"noark5", &archive::noark5Schemas()},
          {"arkivmelding", &archive::arkivmeldingSchemas()}}) {
        const auto onDisk = test::runTool("cd '" + kSchemaDir + "/" + set + "' && ls *.xsd");
        std::vector<std::string> names;
        for (const auto& [name, text] : *files) {
            names.push_back(name);
            INFO(set << "/" << name);
            CHECK(text == test::readFile(kSchemaDir + "/" + set + "/" + name));
            CHECK(sha256Hex(text) == documentedSha(set, name));
        }
        CHECK(test::joinLines(names) == onDisk.out);
    }
    // The CRLF line ends of the upstream files survive the embedding.
    const auto& noark5 = archive::noark5Schemas();
    const auto ark = std::find_if(noark5.begin(), noark5.end(),
                                  [](const auto& f) { return f.first == "arkivstruktur.xsd"; });
    REQUIRE(ark != noark5.end());
    CHECK(ark->second.find("\r\n") != std::string::npos);
}

TEST_CASE("each root namespace finds its shipped schema, metadatakatalog is never chosen",
          "[schemas]") {
    const std::string n5 = "http://www.arkivverket.no/standarder/noark5/";
    for (const auto& [ns, set, main] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {n5 + "arkivstruktur", "Noark 5", "arkivstruktur.xsd"},
             {n5 + "endringslogg", "Noark 5", "endringslogg.xsd"},
             {n5 + "loependeJournal", "Noark 5", "loependeJournal.xsd"},
             {n5 + "offentligJournal", "Noark 5", "offentligJournal.xsd"},
             {"http://www.arkivverket.no/standarder/addml", "Noark 5", "addml.xsd"},
             {n5 + "arkivmelding", "arkivmelding", "arkivmelding.xsd"}}) {
        INFO(ns);
        const auto choice = archive::shippedSchemaFor(ns);
        REQUIRE(choice);
        CHECK(choice->set == set);
        CHECK(choice->main == main);
    }
    CHECK_FALSE(archive::shippedSchemaFor(n5 + "metadatakatalog"));
    CHECK_FALSE(archive::shippedSchemaFor("urn:x-unknown"));
}

TEST_CASE("an arkivmelding validates against the shipped set, its imports read from memory",
          "[schemas]") {
    test::TempDir dir;
    // From a folder with no schema beside it: the import of metadatakatalog.xsd cannot come from
    // the disk.
    const std::string example = test::readFile(std::string(AVTALEFLYT_SOURCE_DIR) +
                                               "/tests/data/example-arkivmelding.xml");
    test::writeFile(dir.file("melding.xml"), example);
    CHECK(archive::validateXmlFile(dir.file("melding.xml"), "melding.xml",
                                   archive::arkivmeldingSchemas(), "arkivmelding.xsd")
              .empty());
    CHECK(archive::validateXml(example, "melding.xml", archive::arkivmeldingSchemas(),
                               "arkivmelding.xsd")
              .empty());
    // The Noark 5 set's metadatakatalog is another file: the sets do not mix.
    const auto wrongSet =
        archive::validateXml(example, "melding.xml", archive::noark5Schemas(), "arkivstruktur.xsd");
    REQUIRE_FALSE(wrongSet.empty());
    INFO(wrongSet.front());
    CHECK(wrongSet.front().rfind("melding.xml:4: xml: Element "
                                 "'{http://www.arkivverket.no/standarder/noark5/arkivmelding}"
                                 "arkivmelding': No matching global declaration available for "
                                 "the validation root.",
                                 0) == 0);
    // A mistake is named with its line.
    const std::string broken = std::regex_replace(example, std::regex("<antallFiler>1<"),
                                                  "<antallFiler>en<");
    REQUIRE(broken != example);
    const auto problems =
        archive::validateXml(broken, "melding.xml", archive::arkivmeldingSchemas(),
                             "arkivmelding.xsd");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("melding.xml:") == 0);
    CHECK(problems[0].find("antallFiler") != std::string::npos);
    CHECK(problems[0].find("'en' is not a valid value of the atomic type 'xs:int'") !=
          std::string::npos);
}

TEST_CASE("a schema folder must hold arkivstruktur.xsd, a missing main schema is one problem",
          "[schemas]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(archive::readSchemaFolder(dir.file("mangler")),
                      dir.file("mangler") + ": no such schema folder");
    test::writeFile(dir.file("addml.xsd"), "<x/>");
    CHECK_THROWS_WITH(archive::readSchemaFolder(dir.path()),
                      dir.path() + ": no arkivstruktur.xsd in the schema folder");
    CHECK(archive::validateXml("<a/>", "a.xml", archive::arkivmeldingSchemas(),
                               "arkivstruktur.xsd") ==
          std::vector<std::string>{"arkivstruktur.xsd: no such schema in the set"});
}
