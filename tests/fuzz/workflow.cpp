// parseWorkflow (workflows/Workflows.h: libxml2, workflow.xsd, the reader, checkWorkflow) on any
// bytes: a definition, or a WorkflowError.
#include "Fuzz.h"
#include "avtaleflyt/workflows/Workflows.h"

using namespace avtaleflyt;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::once([] { workflows::shippedWorkflows(); });  // compiles the schema
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const WorkflowDef def = workflows::parseWorkflow(fuzz::bytes(data, size), "fuzz.xml");
        fuzz::require(!def.states.empty() && !def.transitions.empty(),
                      "a definition with states and transitions");
    } catch (const workflows::WorkflowError&) {
    }
    return 0;
}
