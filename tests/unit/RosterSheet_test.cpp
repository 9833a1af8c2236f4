#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "avtaleflyt/domain/RosterSheet.h"
#include "avtaleflyt/domain/Text.h"

using namespace avtaleflyt;

namespace {

const std::vector<std::string> kAreas = {"Bydelene i Oslo", "Follo",       "Nedre Romerike",
                                         "Øvre Romerike",   "Kongsvinger", "Ahus"};

Table table(std::vector<std::vector<std::string>> rows) {
    Table t;
    t.source = "navneliste.csv";
    int line = 1;
    for (auto& r : rows) t.rows.push_back({line++, std::move(r)});
    return t;
}

std::vector<std::string> messages(const RosterSheet& s) {
    std::vector<std::string> out;
    for (const auto& p : s.problems) out.push_back(p.toString());
    return out;
}

const std::vector<std::string> kHeader = {"Navn",   "E-post",        "Telefon",
                                          "Område", "Kommune/Bydel", "Arbeidssted",
                                          "Leder",  "Leders e-post", "Status"};

}  // namespace

TEST_CASE("a Norwegian name list becomes a roster", "[roster-sheet]") {
    const auto sheet = readRosterSheet(
        table({kHeader,
               {"Åse Ødegård-Bø", "Aase.Odegard@Frogn.kommune.example", "412 34 567", "Follo",
                "Frogn", "Solbakken sykehjem", "Tor O'Neil", "tor.oneil@frogn.kommune.example",
                "aktiv"},
               {"Kari \"Kia\" Berg", "kari.berg@frogn.kommune.example", "", "follo", "Frogn",
                "Hjemmetjenesten nord", "Tor O'Neil", "tor.oneil@frogn.kommune.example", "perm"}}),
        kAreas, {});
    REQUIRE(sheet.problems.empty());
    const Roster& r = sheet.roster;
    REQUIRE(r.nurses.size() == 2);
    const auto& a = r.nurses.at("aase.odegard@frogn.kommune.example");
    CHECK(r.people.at(a.email).name == "Åse Ødegård-Bø");
    CHECK(r.people.at(a.email).phone == "412 34 567");
    CHECK(a.unit.area == "Follo");
    CHECK(a.unit.name == "Solbakken sykehjem");
    CHECK(a.unit.municipality == "Frogn");
    CHECK(a.unit.kind == UnitKind::NursingHome);
    CHECK(a.leaderEmail == "tor.oneil@frogn.kommune.example");
    CHECK(r.people.at(a.leaderEmail).name == "Tor O'Neil");
    const auto& k = r.nurses.at("kari.berg@frogn.kommune.example");
    CHECK(r.people.at(k.email).name == "Kari \"Kia\" Berg");
    CHECK(k.unit.area == "Follo");  // as the network spells it
    CHECK(k.unit.kind == UnitKind::HomeCare);
    CHECK(k.status == MemberStatus::OnLeave);
}

TEST_CASE("English headers in another order and case read the same", "[roster-sheet]") {
    const auto sheet =
        readRosterSheet(table({{"STATUS", "leader email", "Name", "area", "Unit", "email",
                                "Municipality", "Nearest leader"},
                               {"leave", "tor@ahus.example", "Liv Lie", "Ahus", "Kreftavdelingen",
                                "liv@ahus.example", "", "Tor Li"}}),
                        kAreas, {});
    REQUIRE(sheet.problems.empty());
    const auto& n = sheet.roster.nurses.at("liv@ahus.example");
    CHECK(n.status == MemberStatus::OnLeave);
    CHECK(n.unit.area == "Ahus");
    CHECK(sheet.roster.people.at("tor@ahus.example").name == "Tor Li");
}

TEST_CASE("every status word leaders use is understood", "[roster-sheet]") {
    CHECK(parseMemberStatus("Aktiv") == MemberStatus::Active);
    CHECK(parseMemberStatus("active") == MemberStatus::Active);
    CHECK(parseMemberStatus("PERM") == MemberStatus::OnLeave);
    CHECK(parseMemberStatus("permisjon") == MemberStatus::OnLeave);
    CHECK(parseMemberStatus("on leave") == MemberStatus::OnLeave);
    CHECK(parseMemberStatus("Sluttet") == MemberStatus::Left);
    CHECK(parseMemberStatus("left") == MemberStatus::Left);
    CHECK_FALSE(parseMemberStatus("pensjonert"));
}

TEST_CASE("each kind of bad row is reported with line, column and cause, all in one run",
          "[roster-sheet]") {
    const auto sheet =
        readRosterSheet(table({kHeader,
                               {"Mia Berg", "", "", "Follo", "", "Solbakken sykehjem", "Tor Lie",
                                "tor@frogn.example", "aktiv"},
                               {"Jonas Aas", "jonas.aas@frogn", "", "Follo", "",
                                "Solbakken sykehjem", "Tor Lie", "tor@frogn.example", "aktiv"},
                               {"Siri Moe", "siri@frogn.example", "", "Vestfold", "",
                                "Solbakken sykehjem", "Tor Lie", "tor@frogn.example", "pensjonert"},
                               {"Hedda Vik", "hedda@frogn.example", "", "Follo", "",
                                "Solbakken sykehjem", "Tor Lie", "tor@frogn.example", "aktiv"},
                               {"Hedda Vik", "HEDDA@frogn.example", "", "Follo", "",
                                "Solbakken sykehjem", "Tor Lie", "tor@frogn.example", "aktiv"},
                               {"Ola Dahl", "ola@frogn.example", "", "Follo", "",
                                "Solbakken sykehjem", "", "", "aktiv"},
                               {"Per Li", "per@frogn.example", "", "Follo", "",
                                "Solbakken sykehjem", "", "tor@frogn", "aktiv"},
                               {"", "anon@frogn.example", "", "Follo", "", "", "Tor Lie",
                                "tor@frogn.example", "aktiv"}}),
                        kAreas, {});
    CHECK(messages(sheet) ==
          std::vector<std::string>{
              "navneliste.csv:2: E-post: missing e-mail for Mia Berg",
              "navneliste.csv:3: E-post: malformed e-mail address \"jonas.aas@frogn\"",
              "navneliste.csv:4: Status: unknown status \"pensjonert\" (use aktiv, perm or "
              "sluttet; or active, leave, left)",
              "navneliste.csv:4: Område: unknown area \"Vestfold\" (the network's areas are: "
              "Bydelene i Oslo, Follo, "
              "Nedre Romerike, Øvre Romerike, Kongsvinger, Ahus)",
              "navneliste.csv:6: E-post: duplicate person hedda@frogn.example (also on line 5)",
              "navneliste.csv:7: Leders e-post: nurse Ola Dahl has no nearest leader",
              "navneliste.csv:8: Leders e-post: malformed e-mail address \"tor@frogn\"",
              "navneliste.csv:9: Navn: missing name",
              "navneliste.csv:9: Arbeidssted: missing unit for this row",
          });
}

TEST_CASE("messages use the file's own column headers", "[roster-sheet]") {
    const auto sheet = readRosterSheet(
        table({{"Name", "Email", "Area", "Unit", "Leader email", "Status"},
               {"Liv Lie", "liv@ahus.example", "Ahus", "Kreftavdelingen", "", "active"}}),
        kAreas, {});
    CHECK(messages(sheet) ==
          std::vector<std::string>{
              "navneliste.csv:2: Leader email: nurse Liv Lie has no nearest leader"});
}

TEST_CASE("missing columns are named in Norwegian and English, unused columns are warned of",
          "[roster-sheet]") {
    const auto sheet =
        readRosterSheet(table({{"Navn", "Område", "Kommentar", "Arbeidssted"}}), kAreas, {});
    CHECK(messages(sheet) ==
          std::vector<std::string>{
              "navneliste.csv:1: header: missing column \"E-post\" (or \"Email\")",
              "navneliste.csv:1: header: missing column \"Leders e-post\" (or \"Leader email\")"});
    CHECK(sheet.warnings ==
          std::vector<std::string>{"navneliste.csv:1: column \"Kommentar\" is not used"});
}

TEST_CASE("an empty file is a problem, not an empty roster", "[roster-sheet]") {
    const auto sheet = readRosterSheet(table({}), kAreas, {});
    CHECK(messages(sheet) ==
          std::vector<std::string>{
              "navneliste.csv:1: header: the file has no header row and no rows"});
}

TEST_CASE("a leader named only by e-mail takes the stored name, or is a problem",
          "[roster-sheet]") {
    const std::map<std::string, Person> known = {
        {"tor@ahus.example", {"tor@ahus.example", "Tor Li", "900 00 000"}}};
    const auto rows = std::vector<std::vector<std::string>>{
        {"Navn", "E-post", "Område", "Arbeidssted", "Leders e-post"},
        {"Liv Lie", "liv@ahus.example", "Ahus", "Kreftavdelingen", "tor@ahus.example"},
        {"Eli Vik", "eli@ahus.example", "Ahus", "Kreftavdelingen", "ukjent@ahus.example"}};
    const auto sheet = readRosterSheet(table(rows), kAreas, known);
    CHECK(messages(sheet) ==
          std::vector<std::string>{
              "navneliste.csv:3: Leder: missing name of nearest leader ukjent@ahus.example"});
    CHECK(sheet.roster.people.at("tor@ahus.example").name == "Tor Li");
    CHECK(sheet.roster.people.at("tor@ahus.example").phone == "900 00 000");
}

TEST_CASE("one person with two names is a problem", "[roster-sheet]") {
    const auto sheet = readRosterSheet(
        table({{"Navn", "E-post", "Område", "Arbeidssted", "Leder", "Leders e-post"},
               {"Liv Lie", "liv@ahus.example", "Ahus", "Kreftavdelingen", "Tor Li",
                "tor@ahus.example"},
               {"Eli Vik", "eli@ahus.example", "Ahus", "Kreftavdelingen", "Tor Lid",
                "tor@ahus.example"}}),
        kAreas, {});
    CHECK(messages(sheet) ==
          std::vector<std::string>{"navneliste.csv:3: Leder: tor@ahus.example is named \"Tor Lid\" "
                                   "here but \"Tor Li\" on line 2"});
}

TEST_CASE("area and network leaders come from the role column", "[roster-sheet]") {
    const auto sheet = readRosterSheet(
        table({{"Navn", "E-post", "Område", "Arbeidssted", "Leders e-post", "Rolle"},
               {"Nina Holm", "nina@ahus.example", "", "", "", "nettverksleder"},
               {"Geir Lund", "geir@follo.example", "Follo", "", "", "Områdeleder"},
               {"Gry Lund", "gry@follo.example", "Follo", "", "", "områdeleder"},
               {"Ole Moe", "ole@ahus.example", "", "", "", "network leader"},
               {"Kim Ask", "kim@ahus.example", "Ahus", "", "", "sjef"}}),
        kAreas, {});
    CHECK(messages(sheet) ==
          std::vector<std::string>{
              "navneliste.csv:4: Område: area Follo already has an area leader on line 3",
              "navneliste.csv:5: Rolle: a second network leader (the first is on line 2)",
              "navneliste.csv:6: Rolle: unknown role \"sjef\" (use ressurssykepleier, områdeleder "
              "or nettverksleder; or nurse, area leader, network leader)"});
    CHECK(sheet.roster.networkLeader == "nina@ahus.example");
    CHECK(sheet.roster.areaLeaders.at("Follo") == "geir@follo.example");
}

TEST_CASE("a written roster reads back as the same roster", "[roster-sheet]") {
    const auto first = readRosterSheet(
        table(
            {{"Navn", "E-post", "Telefon", "Område", "Kommune", "Arbeidssted", "Enhetstype",
              "Leder", "Leders e-post", "Status", "Rolle"},
             {"Nina Holm", "nina@ahus.example", "1", "", "", "", "", "", "", "", "nettverksleder"},
             {"Geir Lund", "geir@follo.example", "", "Follo", "", "", "", "", "", "",
              "områdeleder"},
             {"Åse Bø", "ase@frogn.example", "2", "Follo", "Frogn", "Tunet", "bydel", "Tor Li",
              "tor@frogn.example", "perm", ""},
             {"Liv Lie", "liv@ahus.example", "", "Ahus", "", "Post 3", "", "Tor Li",
              "tor@frogn.example", "sluttet", ""}}),
        kAreas, {});
    REQUIRE(first.problems.empty());
    const auto rows = writeRosterSheet(first.roster, kAreas);
    const auto second = readRosterSheet(table(rows), kAreas, {});
    REQUIRE(second.problems.empty());
    CHECK(second.roster.people == first.roster.people);
    CHECK(second.roster.areaLeaders == first.roster.areaLeaders);
    CHECK(second.roster.networkLeader == first.roster.networkLeader);
    REQUIRE(second.roster.nurses.size() == 2);
    for (const auto& [email, n] : first.roster.nurses) {
        const auto& m = second.roster.nurses.at(email);
        CHECK(m.unit.sameUnit(n.unit));
        CHECK(m.unit.kind == n.unit.kind);
        CHECK(m.leaderEmail == n.leaderEmail);
        CHECK(m.status == n.status);
    }
}

TEST_CASE("docs/roster-import.md documents every column header the import accepts",
          "[roster-sheet][docs]") {
    std::ifstream in(AVTALEFLYT_SOURCE_DIR "/docs/roster-import.md");
    REQUIRE(in);
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& spec : rosterColumns()) {
        std::vector<std::string> headers = spec.aliases;
        headers.push_back(spec.norwegian);
        headers.push_back(spec.english);
        for (const auto& h : headers) {
            INFO(h);
            CHECK(doc.find("`" + h + "`") != std::string::npos);
        }
    }
}

TEST_CASE("fields with control characters are refused with line, column and character, unshown",
          "[roster-sheet]") {
    const std::vector<std::string> ok = {
        "Liv Lie", "liv@ahus.example", "", "Ahus", "", "Kreftavdelingen",
        "Tor Li",  "tor@ahus.example", ""};
    auto nul = ok, lineBreak = ok, escape = ok, c1 = ok;
    nul[0] = std::string("Li\0v", 4);
    lineBreak[5] = "Kreft-\navdelingen";
    escape[3] = "\x1b[31mAhus";
    c1[6] = "Tor\xC2\x9BLi";
    nul[1] = "a@ahus.example", lineBreak[1] = "b@ahus.example", escape[1] = "c@ahus.example",
    c1[1] = "d@ahus.example";
    const auto sheet = readRosterSheet(table({kHeader, nul, lineBreak, escape, c1}), kAreas, {});
    CHECK(messages(sheet) ==
          std::vector<std::string>{
              "navneliste.csv:2: Navn: contains the control character U+0000 (character 3)",
              "navneliste.csv:3: Arbeidssted: contains a line break (character 7)",
              "navneliste.csv:4: Område: contains the control character U+001B (character 1)",
              "navneliste.csv:5: Leder: contains the control character U+009B (character 4)"});
    CHECK(sheet.roster.nurses.empty());
}

TEST_CASE("fields longer than 1000 characters, e-mail addresses longer than 254, are refused",
          "[roster-sheet]") {
    std::string ø1001;
    for (int i = 0; i < 1001; ++i) ø1001 += "ø";                           // characters, not bytes
    const std::string longMail = std::string(243, 'a') + "@ahus.example";  // 256
    const auto sheet = readRosterSheet(
        table({kHeader,
               {ø1001, "liv@ahus.example", "", "Ahus", "", "Post", "", "tor@ahus.example", ""},
               {"Eli", longMail, "", "Ahus", "", "Post", "", "tor@ahus.example", ""},
               {std::string(1000, 'x'), "ok@ahus.example", "", "Ahus", "", "Post", "Tor",
                "tor@ahus.example", ""}}),
        kAreas, {});
    CHECK(messages(sheet) ==
          std::vector<std::string>{
              "navneliste.csv:2: Navn: is 1001 characters long; at most 1000 are read",
              "navneliste.csv:3: E-post: is 256 characters long; at most 254 are read"});
}

TEST_CASE("a heading with a control character is not used, and not shown", "[roster-sheet]") {
    auto header = kHeader;
    header.push_back("Merk\x1b[2Jnad");
    const auto sheet = readRosterSheet(table({header}), kAreas, {});
    CHECK(sheet.warnings ==
          std::vector<std::string>{"navneliste.csv:1: column 10 is not used: its heading contains "
                                   "the control character U+001B (character 5)"});
}

TEST_CASE("more than 1000 problems are cut, saying from which line on", "[roster-sheet]") {
    std::vector<std::vector<std::string>> rows = {kHeader};
    // Four problems a row (no e-mail, area, unit or leader): 250 rows make 1000.
    for (int i = 0; i < 1500; ++i) rows.push_back({"Liv"});
    const auto sheet = readRosterSheet(table(rows), kAreas, {});
    REQUIRE(sheet.problems.size() == kMaxRosterProblems + 1);
    CHECK(sheet.problems.back().toString() ==
          "navneliste.csv:252: problems: more than 1000 problems; the rest, from this line on, are "
          "not listed");
}

TEST_CASE(
    "a name list read row by row, each row freed once read (an import's memory), gives the "
    "same roster, problems and warnings as one read whole, and leaves no row behind",
    "[roster-sheet]") {
    std::vector<std::vector<std::string>> rows = {
        {"Navn", "E-post", "Telefon", "Område", "Arbeidssted", "Leder", "Leders e-post", "Rolle",
         "Ubrukt"},
        {"Liv Lie", "liv@ahus.example", "", "Ahus", "Post 1", "", "tor@ahus.example", "", "x"},
        {"Eli Vik", "eli@ahus.example", "", "Ahus", "Post 1", "Tor Lid", "tor@ahus.example", "",
         ""},
        {"Liv Lie", "LIV@ahus.example", "", "Ahus", "Post 2", "Tor Li", "tor@ahus.example", "", ""},
        {"Per Li", "per@ahus.example", "", "Vestfold", "Post 1", "Tor Li", "tor@ahus.example", "",
         ""},
        {"Ida Holm", "ida@ahus.example", "", "Ahus", "Post 3", "", "ukjent@ahus.example", "", ""},
        {"Eva Ask", "eva@ahus.example", "900 00 000", "Ahus", "", "", "", "områdeleder", ""},
        {"Tor Li", "tor@ahus.example", "", "Ahus", "Post 9", "Eva Ask", "eva@ahus.example", "",
         ""}};
    for (int i = 0; i < 40; ++i)
        rows.push_back({"Sykepleier " + std::to_string(i),
                        "s" + std::to_string(i) + "@ahus.example", "", "Ahus",
                        "Post " + std::to_string(i % 4), "", "eva@ahus.example", "", ""});
    const std::map<std::string, Person> known = {
        {"eva@ahus.example", {"eva@ahus.example", "Eva Ask", "911 11 111"}}};
    const Table whole = table(rows);
    const RosterSheet held = readRosterSheet(whole, kAreas, known);
    Table consumed = whole;
    const RosterSheet freed = readRosterSheet(std::move(consumed), kAreas, known);

    CHECK(consumed.rows.empty());  // NOLINT(bugprone-use-after-move): emptied on purpose
    CHECK(messages(freed) == messages(held));
    // A duplicate, an unknown area, one leader with two names (twice), a leader without a name.
    INFO(text::join(messages(held), "\n"));
    CHECK(messages(held).size() == 5);
    CHECK(freed.warnings == held.warnings);
    CHECK(held.warnings.size() == 1);  // "Ubrukt" is not used
    CHECK(freed.roster.people == held.roster.people);
    CHECK(freed.roster.areaLeaders == held.roster.areaLeaders);
    CHECK(freed.roster.networkLeader == held.roster.networkLeader);
    REQUIRE(freed.roster.nurses.size() == held.roster.nurses.size());
    for (const auto& [email, n] : held.roster.nurses) {
        const NurseMembership& f = freed.roster.nurses.at(email);
        CHECK((f.unit.sameUnit(n.unit) && f.leaderEmail == n.leaderEmail && f.status == n.status));
    }
    CHECK(held.roster.nurses.size() == 44);
}
