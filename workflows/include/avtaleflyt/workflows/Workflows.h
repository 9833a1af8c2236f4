#pragma once
// Workflow definitions as files: validated against workflow.xsd, read into WorkflowDef, checked
// for consistency (checkWorkflow), and drawn as state diagrams.

#include <stdexcept>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Workflow.h"

namespace avtaleflyt::workflows {

// A definition that cannot be used. The message lists every problem found, one per line, each
// as "FILE:LINE: what: cause".
class WorkflowError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Reads one definition from XML text; `source` names it in messages.
WorkflowDef parseWorkflow(const std::string& xml, const std::string& source);

// Every *.xml in `dir`, by file name. Throws WorkflowError listing the problems of all files,
// or if two files define the same workflow name.
std::vector<WorkflowDef> loadWorkflowDir(const std::string& dir);

// The definitions shipped with avtaleflyt (compiled in from workflows/*.xml).
const std::vector<WorkflowDef>& shippedWorkflows();

// The text of workflow.xsd.
const std::string& workflowSchema();

// A Mermaid state diagram (stateDiagram-v2) of the definition: its states, transitions
// labelled with trigger and actors, and timers that fire triggers.
std::string stateDiagram(const WorkflowDef& def);

}  // namespace avtaleflyt::workflows
