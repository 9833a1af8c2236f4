#pragma once
// Reading a name list (a table with a header row) into a Roster. The columns and their
// Norwegian and English headers are listed once, here; docs/roster-import.md describes them.

#include <cstddef>
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

// The longest field read, in characters (an e-mail address: 254).
constexpr std::size_t kMaxRosterFieldLength = 1000;
// Problems listed at most; one more then says from which line on the rest are not.
constexpr std::size_t kMaxRosterProblems = 1000;

// Interprets `table` (first non-empty row is the header) as the complete roster of a network
// whose areas are `areas`. Area names are matched ignoring case and stored as `areas` spell them.
// `knownPeople` (by e-mail) supplies the name of a leader the list names only by e-mail.
// A row with a field unfit to be read (a control character such as NUL, a line break or an
// ANSI escape, or longer than kMaxRosterFieldLength) is a problem and read no further; so is
// such a heading, which is then not used (a warning).
// Never throws for bad content: every problem is collected in the result.
RosterSheet readRosterSheet(const Table& table, const std::vector<std::string>& areas,
                            const std::map<std::string, Person>& knownPeople);
// The same, freeing each row of `table` once it is read (and the rows at the end), so that a
// large list and its roster are never held whole at once (an import's peak memory).
RosterSheet readRosterSheet(Table&& table, const std::vector<std::string>& areas,
                            const std::map<std::string, Person>& knownPeople);

}  // namespace avtaleflyt

namespace avtaleflyt {

// The inverse of readRosterSheet: a header row (the Norwegian headers) and one row per network
// leader, area leader and nurse (in that order; nurses by area, unit, name). Reading the result
// back gives the same roster.
std::vector<std::vector<std::string>> writeRosterSheet(const Roster& roster,
                                                       const std::vector<std::string>& areas);

}  // namespace avtaleflyt
