#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "TestSupport.h"
#include "avtaleflyt/workflows/Workflows.h"

using namespace avtaleflyt;
using workflows::parseWorkflow;
using workflows::WorkflowError;

namespace {

// A small valid definition; tests bend it to break one rule at a time.
std::string minimal(const std::string& states, const std::string& transitions,
                    const std::string& timers = "") {
    return "<?xml version=\"1.0\"?>\n"
           "<workflow xmlns=\"urn:avtaleflyt:workflow:1\" name=\"test\" title=\"Test\" "
           "reference-prefix=\"TE\">\n"
           "  <states>\n" +
           states +
           "  </states>\n"
           "  <transitions>\n" +
           transitions + "  </transitions>\n" + timers + "</workflow>\n";
}

const std::string kStates =
    "    <state name=\"draft\" initial=\"true\"/>\n    <state name=\"done\" final=\"true\"/>\n";
const std::string kDone =
    "    <transition trigger=\"finish\" from=\"draft\" to=\"done\" actors=\"network_leader\"/>\n";

}  // namespace

TEST_CASE("the shipped workflows load and pass every rule", "[workflow-load]") {
    std::vector<std::string> names;
    for (const auto& d : workflows::shippedWorkflows()) names.push_back(d.name);
    CHECK(names ==
          std::vector<std::string>{"collaboration-agreement", "function-description", "record"});
    CHECK(parseWorkflow(minimal(kStates, kDone), "t.xml").transitions.size() == 1);
}

TEST_CASE("XML that is not well-formed is reported with file and line", "[workflow-load]") {
    CHECK_THROWS_WITH(
        parseWorkflow("<?xml version=\"1.0\"?>\n<workflow>\n  <states>\n</workflow>\n", "bad.xml"),
        Catch::Matchers::StartsWith("bad.xml:4: xml: ") && Catch::Matchers::Contains("mismatch"));
}

TEST_CASE("a definition that breaks the schema is reported with file and line", "[workflow-load]") {
    const std::string xml = minimal(kStates,
                                    "    <transition trigger=\"finish\" from=\"draft\" to=\"done\" "
                                    "actors=\"network_leader\" actions=\"fly\"/>\n");
    CHECK_THROWS_WITH(
        parseWorkflow(xml, "wf.xml"),
        Catch::Matchers::StartsWith("wf.xml:8: xml: ") && Catch::Matchers::Contains("'fly'"));
}

// Found by the workflow fuzzer (tests/fuzz/workflow.cpp): the schema let any positive integer
// through, and a number beyond an int escaped parseWorkflow as std::out_of_range.
TEST_CASE("A workflow whose template version or timer max is beyond 2147483647 is refused with "
          "its line and the schema's reason",
          "[workflow-load]") {
    const auto timer = [](const std::string& max) {
        return "  <timers>\n    <timer name=\"nudge\" states=\"draft\" after=\"P1D\" every=\"P1D\" "
               "max=\"" +
               max + "\" trigger=\"finish\"/>\n  </timers>\n";
    };
    CHECK(parseWorkflow(minimal(kStates, kDone, timer("2147483647")), "wf.xml").timers.at(0).max ==
          2147483647);
    CHECK_THROWS_WITH(parseWorkflow(minimal(kStates, kDone, timer("2147483648")), "wf.xml"),
                      Catch::Matchers::StartsWith("wf.xml:11: xml: ") &&
                          Catch::Matchers::Contains("'2147483648'") &&
                          Catch::Matchers::Contains("maximum value allowed ('2147483647')"));
    std::string xml = minimal(kStates, kDone);
    xml.replace(xml.find("  <states>"), 0,
                "  <template name=\"function-description\" version=\"99999999999\"/>\n");
    CHECK_THROWS_WITH(parseWorkflow(xml, "wf.xml"),
                      Catch::Matchers::StartsWith("wf.xml:3: xml: ") &&
                          Catch::Matchers::Contains("'99999999999'") &&
                          Catch::Matchers::Contains("maximum value allowed ('2147483647')"));
}

TEST_CASE("consistency rules are reported, all of them, at the element concerned",
          "[workflow-load]") {
    const std::string xml = minimal(
        "    <state name=\"draft\"/>\n    <state name=\"done\" final=\"true\"/>\n    <state "
        "name=\"lost\"/>\n",
        "    <transition trigger=\"finish\" from=\"draft\" to=\"gone\" "
        "actors=\"network_leader\"/>\n"
        "    <transition trigger=\"reopen\" from=\"done\" to=\"draft\" "
        "actors=\"network_leader\"/>\n",
        "  <timers>\n    <timer name=\"t\" states=\"draft\" after=\"P1D\" trigger=\"vanish\"/>\n  "
        "</timers>\n");
    CHECK_THROWS_WITH(
        parseWorkflow(xml, "wf.xml"),
        "wf.xml:2: states: a workflow needs exactly one initial state, this one has 0\n"
        "wf.xml:9: transition finish: unknown state \"gone\" in to\n"
        "wf.xml:10: transition reopen: state \"done\" is final; no transition may leave it\n"
        "wf.xml:5: state: state \"done\" cannot be reached by any transition\n"
        "wf.xml:6: state: state \"lost\" cannot be reached by any transition\n"
        "wf.xml:13: timer t: no transition has the trigger \"vanish\"");
}

TEST_CASE("a folder of definitions: every file's problems at once, and no two with one name",
          "[workflow-load]") {
    test::TempDir dir;
    test::writeFile(dir.file("a.xml"), minimal(kStates, kDone));
    test::writeFile(dir.file("b.xml"), minimal(kStates, kDone));
    test::writeFile(dir.file("c.xml"), "<workflow");
    try {
        workflows::loadWorkflowDir(dir.path());
        FAIL("loaded");
    } catch (const WorkflowError& e) {
        const std::string m = e.what();
        CHECK(m.find(dir.file("b.xml") + ":2: workflow: another file defines \"test\" too") !=
              std::string::npos);
        CHECK(m.find(dir.file("c.xml") + ":1: xml: ") != std::string::npos);
    }
    CHECK_THROWS_WITH(workflows::loadWorkflowDir(dir.file("none")),
                      dir.file("none") + ": no such folder of workflow definitions");
}

TEST_CASE("docs/workflows holds the current state diagram of every shipped workflow",
          "[workflow-load][docs]") {
    for (const auto& d : workflows::shippedWorkflows()) {
        const std::string path = AVTALEFLYT_SOURCE_DIR "/docs/workflows/" + d.name + ".md";
        std::ifstream in(path);
        INFO(path << " (regenerate with scripts/workflow-docs.sh)");
        REQUIRE(in);
        const std::string doc((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
        CHECK(doc.find("```mermaid\n" + workflows::stateDiagram(d) + "```") != std::string::npos);
    }
}
