#pragma once
// Reading a name list (a table with a header row) into a Roster. The columns and their
// Norwegian and English headers are listed once, here; docs/roster-import.md describes them.

#include <map>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Roster.h"
#include "avtaleflyt/domain/Table.h"

namespace avtaleflyt {

enum class RosterColumn {
    Name,
    Email,
    Phone,
    Unit,
    Municipality,
    Area,
    Leader,
    LeaderEmail,
    Status,
    Role,
    UnitType
};

struct RosterColumnSpec {
    RosterColumn column;
    std::string norwegian;  // the header written on export
    std::string english;
    std::vector<std::string> aliases;  // further accepted headers
    bool required;
};

// Every column the import understands, in export order.
const std::vector<RosterColumnSpec>& rosterColumns();

struct RosterSheet {
    Roster roster;                       // complete only if problems is empty
    std::vector<InputProblem> problems;  // every problem found, in file order
    std::vector<std::string> warnings;   // e.g. columns that are not used
};

// Interprets `table` (first non-empty row is the header) as the complete roster of a network
// whose areas are `areas`. Area names are matched ignoring case and stored as `areas` spell them.
// `knownPeople` (by e-mail) supplies the name of a leader the list names only by e-mail.
// Never throws for bad content: every problem is collected in the result.
RosterSheet readRosterSheet(const Table& table, const std::vector<std::string>& areas,
                            const std::map<std::string, Person>& knownPeople);

}  // namespace avtaleflyt

namespace avtaleflyt {

// The inverse of readRosterSheet: a header row (the Norwegian headers) and one row per network
// leader, area leader and nurse (in that order; nurses by area, unit, name). Reading the result
// back gives the same roster.
std::vector<std::vector<std::string>> writeRosterSheet(const Roster& roster,
                                                       const std::vector<std::string>& areas);

}  // namespace avtaleflyt
