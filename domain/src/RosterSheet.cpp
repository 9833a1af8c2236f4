#include "avtaleflyt/domain/RosterSheet.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "avtaleflyt/domain/Email.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt {
namespace {

// Header comparison ignores case, spaces, hyphens, dots, underscores and slashes.
std::string headerKey(const std::string& header) {
    std::string out;
    for (const char c : text::foldCase(text::trim(header))) {
        if (c != ' ' && c != '-' && c != '.' && c != '_' && c != '/')
            out += c;
    }
    return out;
}

std::string quoted(const std::string& s) {
    return "\"" + s + "\"";
}

// What makes `value` unfit to be read as a field (or a heading) of at most `maxLength`
// characters, if anything: a control character (C0, DEL or C1: a NUL, a line break inside the
// cell, an ANSI escape), or its length. The cause never repeats the value.
std::optional<std::string> unfitField(const std::string& value, std::size_t maxLength) {
    std::size_t character = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if ((c & 0xC0) != 0x80)
            ++character;
        unsigned control = 0x100;  // none
        if (c < 0x20 || c == 0x7F)
            control = c;
        else if (c == 0xC2 && i + 1 < value.size() &&
                 static_cast<unsigned char>(value[i + 1]) < 0xA0)
            control = static_cast<unsigned char>(value[i + 1]);
        if (control == 0x100)
            continue;
        const std::string at = " (character " + std::to_string(character) + ")";
        if (control == '\n' || control == '\r')
            return "contains a line break" + at;
        static const char* hex = "0123456789ABCDEF";
        return std::string("contains the control character U+00") + hex[control >> 4] +
               hex[control & 0xF] + at;
    }
    if (character > maxLength)
        return "is " + std::to_string(character) + " characters long; at most " +
               std::to_string(maxLength) + " are read";
    return std::nullopt;
}

// The longest field read: an e-mail address has at most 254 characters (RFC 5321).
std::size_t maxLength(RosterColumn column) {
    return column == RosterColumn::Email || column == RosterColumn::LeaderEmail
               ? 254
               : kMaxRosterFieldLength;
}

class SheetReader {
  public:
    // `consumed`, when given, is `table` itself: each row's cells are freed once it is read.
    SheetReader(const Table& table, const std::vector<std::string>& areas,
                const std::map<std::string, Person>& knownPeople, Table* consumed = nullptr)
        : table_(table), areas_(areas), known_(knownPeople), consumed_(consumed) {}

    RosterSheet read() {
        std::size_t i = 0;
        while (i < table_.rows.size() && isEmpty(table_.rows[i])) ++i;
        if (i == table_.rows.size()) {
            problem(1, "header", "the file has no header row and no rows");
            return std::move(result_);
        }
        if (!readHeader(table_.rows[i]))
            return std::move(result_);
        for (++i; i < table_.rows.size(); ++i) {
            if (!isEmpty(table_.rows[i]))
                readRow(table_.rows[i]);
            if (consumed_)
                std::vector<std::string>().swap(consumed_->rows[i].cells);
        }
        if (consumed_)
            std::vector<TableRow>().swap(consumed_->rows);
        resolveLeaderNames();
        return std::move(result_);
    }

  private:
    struct NameSeen {
        std::string name;
        int line;
    };

    static bool isEmpty(const TableRow& row) {
        for (const auto& c : row.cells)
            if (!text::trim(c).empty())
                return false;
        return true;
    }

    // Keeps the first kMaxRosterProblems problems; of the rest, the line of the first.
    void problem(int line, const std::string& field, const std::string& cause) {
        if (result_.problems.size() < kMaxRosterProblems)
            result_.problems.push_back({table_.source, line, field, cause});
        else if (!moreProblemsFrom_)
            moreProblemsFrom_ = line;
    }

    bool readHeader(const TableRow& header) {
        for (std::size_t c = 0; c < header.cells.size(); ++c) {
            const std::string key = headerKey(header.cells[c]);
            if (key.empty())
                continue;
            if (const auto unfit = unfitField(text::trim(header.cells[c]), kMaxRosterFieldLength)) {
                result_.warnings.push_back(table_.source + ":" + std::to_string(header.line) +
                                           ": column " + std::to_string(c + 1) +
                                           " is not used: its heading " + *unfit);
                continue;
            }
            const RosterColumnSpec* spec = findSpec(key);
            if (!spec) {
                result_.warnings.push_back(table_.source + ":" + std::to_string(header.line) +
                                           ": column " + quoted(text::trim(header.cells[c])) +
                                           " is not used");
                continue;
            }
            if (columns_.count(spec->column)) {
                problem(header.line, "header",
                        "column " + quoted(text::trim(header.cells[c])) + " appears twice");
                continue;
            }
            columns_[spec->column] = c;
            titles_[spec->column] = text::trim(header.cells[c]);
        }
        for (const auto& spec : rosterColumns()) {
            if (spec.required && !columns_.count(spec.column))
                problem(header.line, "header",
                        "missing column " + quoted(spec.norwegian) + " (or " +
                            quoted(spec.english) + ")");
        }
        return result_.problems.empty();
    }

    static const RosterColumnSpec* findSpec(const std::string& key) {
        for (const auto& spec : rosterColumns()) {
            if (headerKey(spec.norwegian) == key || headerKey(spec.english) == key)
                return &spec;
            for (const auto& a : spec.aliases)
                if (headerKey(a) == key)
                    return &spec;
        }
        return nullptr;
    }

    std::string cell(const TableRow& row, RosterColumn col) const {
        const auto it = columns_.find(col);
        if (it == columns_.end() || it->second >= row.cells.size())
            return {};
        return text::trim(row.cells[it->second]);
    }

    // The header the file itself uses for a column, so messages speak the file's language.
    std::string title(RosterColumn col) const {
        const auto it = titles_.find(col);
        if (it != titles_.end())
            return it->second;
        for (const auto& spec : rosterColumns())
            if (spec.column == col)
                return spec.norwegian;
        return {};
    }

    std::optional<std::string> canonicalArea(const std::string& area) const {
        for (const auto& a : areas_)
            if (text::equalsFolded(a, area))
                return a;
        return std::nullopt;
    }

    // Records that `email` is called `name` on `line`; a different name elsewhere is a problem.
    void seeName(const std::string& email, const std::string& name, int line, RosterColumn col) {
        if (name.empty())
            return;
        const auto it = names_.find(email);
        if (it == names_.end()) {
            names_[email] = {name, line};
        } else if (it->second.name != name) {
            problem(line, title(col),
                    email + " is named " + quoted(name) + " here but " + quoted(it->second.name) +
                        " on line " + std::to_string(it->second.line));
        }
    }

    // Problems for every cell of a read column that is not fit to be a field; false if any.
    bool fieldsFit(const TableRow& row) {
        bool fit = true;
        for (const auto& entry : columns_) {
            if (const auto unfit = unfitField(cell(row, entry.first), maxLength(entry.first))) {
                problem(row.line, title(entry.first), *unfit);
                fit = false;
            }
        }
        return fit;
    }

    void readRow(const TableRow& row) {
        const int line = row.line;
        if (!fieldsFit(row))
            return;
        const std::string name = cell(row, RosterColumn::Name);
        const std::string rawEmail = cell(row, RosterColumn::Email);
        const std::string email = normalizeEmail(rawEmail);
        const std::string who = name.empty() ? "this row" : name;
        bool ok = true;

        RosterRole role = RosterRole::Nurse;
        if (const std::string r = cell(row, RosterColumn::Role); !r.empty()) {
            if (auto parsed = parseRosterRole(r)) {
                role = *parsed;
            } else {
                problem(line, title(RosterColumn::Role),
                        "unknown role " + quoted(r) +
                            " (use ressurssykepleier, områdeleder or nettverksleder; or nurse, "
                            "area leader, network leader)");
                return;  // what else the row needs depends on its role
            }
        }
        if (name.empty()) {
            problem(line, title(RosterColumn::Name), "missing name");
            ok = false;
        }
        if (email.empty()) {
            problem(line, title(RosterColumn::Email), "missing e-mail for " + who);
            ok = false;
        } else if (!isWellFormedEmail(email)) {
            problem(line, title(RosterColumn::Email),
                    "malformed e-mail address " + quoted(rawEmail));
            ok = false;
        }

        MemberStatus status = MemberStatus::Active;
        if (const std::string s = cell(row, RosterColumn::Status); !s.empty()) {
            if (auto parsed = parseMemberStatus(s)) {
                status = *parsed;
            } else {
                problem(line, title(RosterColumn::Status),
                        "unknown status " + quoted(s) +
                            " (use aktiv, perm or sluttet; or active, leave, left)");
                ok = false;
            }
        }

        std::optional<std::string> area;
        if (const std::string a = cell(row, RosterColumn::Area); !a.empty()) {
            area = canonicalArea(a);
            if (!area) {
                problem(line, title(RosterColumn::Area),
                        "unknown area " + quoted(a) +
                            " (the network's areas are: " + text::join(areas_) + ")");
                ok = false;
            }
        } else if (role != RosterRole::NetworkLeader) {
            problem(line, title(RosterColumn::Area), "missing area for " + who);
            ok = false;
        }

        if (ok && email.size()) {
            const auto dup = rowsByEmail_.find({email, role});
            if (dup != rowsByEmail_.end()) {
                problem(line, title(RosterColumn::Email),
                        "duplicate person " + email + " (also on line " +
                            std::to_string(dup->second) + ")");
                return;
            }
            rowsByEmail_[{email, role}] = line;
        }
        if (!email.empty())
            seeName(email, name, line, RosterColumn::Name);

        switch (role) {
            case RosterRole::Nurse:
                readNurse(row, name, email, area, status, ok);
                break;
            case RosterRole::AreaLeader:
                if (ok) {
                    const auto prev = areaLeaderLines_.find(*area);
                    if (prev != areaLeaderLines_.end()) {
                        problem(line, title(RosterColumn::Area),
                                "area " + *area + " already has an area leader on line " +
                                    std::to_string(prev->second));
                        return;
                    }
                    areaLeaderLines_[*area] = line;
                    result_.roster.areaLeaders[*area] = email;
                    addPerson(email, name, cell(row, RosterColumn::Phone));
                }
                break;
            case RosterRole::NetworkLeader:
                if (ok) {
                    if (networkLeaderLine_) {
                        problem(line, title(RosterColumn::Role),
                                "a second network leader (the first is on line " +
                                    std::to_string(networkLeaderLine_) + ")");
                        return;
                    }
                    networkLeaderLine_ = line;
                    result_.roster.networkLeader = email;
                    addPerson(email, name, cell(row, RosterColumn::Phone));
                }
                break;
        }
    }

    void readNurse(const TableRow& row, const std::string& name, const std::string& email,
                   const std::optional<std::string>& area, MemberStatus status, bool ok) {
        const int line = row.line;
        const std::string who = name.empty() ? "this row" : name;
        const std::string unit = cell(row, RosterColumn::Unit);
        if (unit.empty()) {
            problem(line, title(RosterColumn::Unit), "missing unit for " + who);
            ok = false;
        }
        UnitKind kind = guessUnitKind(unit);
        if (const std::string k = cell(row, RosterColumn::UnitType); !k.empty()) {
            if (auto parsed = parseUnitKind(k)) {
                kind = *parsed;
            } else {
                problem(line, title(RosterColumn::UnitType),
                        "unknown unit type " + quoted(k) +
                            " (use kommune, bydel, sykehjem, hjemmetjeneste, sykehusavdeling or "
                            "annet)");
                ok = false;
            }
        }
        const std::string rawLeaderEmail = cell(row, RosterColumn::LeaderEmail);
        const std::string leaderEmail = normalizeEmail(rawLeaderEmail);
        const std::string leaderName = cell(row, RosterColumn::Leader);
        if (leaderEmail.empty()) {
            if (status != MemberStatus::Left) {
                problem(line, title(RosterColumn::LeaderEmail),
                        "nurse " + who + " has no nearest leader");
                ok = false;
            }
        } else if (!isWellFormedEmail(leaderEmail)) {
            problem(line, title(RosterColumn::LeaderEmail),
                    "malformed e-mail address " + quoted(rawLeaderEmail));
            ok = false;
        } else if (leaderEmail == email) {
            problem(line, title(RosterColumn::LeaderEmail),
                    who + " is listed as their own nearest leader");
            ok = false;
        } else {
            seeName(leaderEmail, leaderName, line, RosterColumn::Leader);
            if (!leaderName.empty() || !leaderLines_.count(leaderEmail))
                leaderLines_[leaderEmail] = line;
        }
        if (!ok)
            return;
        addPerson(email, name, cell(row, RosterColumn::Phone));
        NurseMembership m;
        m.email = email;
        m.unit = UnitRef{*area, unit, cell(row, RosterColumn::Municipality), kind};
        m.leaderEmail = leaderEmail;
        m.status = status;
        result_.roster.nurses[email] = m;
    }

    void addPerson(const std::string& email, const std::string& name, const std::string& phone) {
        auto& p = result_.roster.people[email];
        p.email = email;
        p.name = name;
        if (!phone.empty())
            p.phone = phone;
    }

    // A leader named only by e-mail takes the name from another row or from what is stored.
    void resolveLeaderNames() {
        for (const auto& [email, line] : leaderLines_) {
            if (result_.roster.people.count(email))
                continue;
            Person p;
            p.email = email;
            if (const auto seen = names_.find(email); seen != names_.end()) {
                p.name = seen->second.name;
            } else if (const auto k = known_.find(email); k != known_.end()) {
                p.name = k->second.name;
                p.phone = k->second.phone;
            } else {
                problem(line, title(RosterColumn::Leader),
                        "missing name of nearest leader " + email);
                continue;
            }
            if (const auto k = known_.find(email); k != known_.end() && p.phone.empty())
                p.phone = k->second.phone;
            result_.roster.people[email] = p;
        }
        // Keep a stored phone number when the list has no phone column or an empty cell.
        for (auto& [email, p] : result_.roster.people) {
            if (p.phone.empty())
                if (const auto k = known_.find(email); k != known_.end())
                    p.phone = k->second.phone;
        }
        std::stable_sort(
            result_.problems.begin(), result_.problems.end(),
            [](const InputProblem& a, const InputProblem& b) { return a.line < b.line; });
        if (moreProblemsFrom_)
            result_.problems.push_back(
                {table_.source, moreProblemsFrom_, "problems",
                 "more than " + std::to_string(kMaxRosterProblems) +
                     " problems; the rest, from this line on, are not listed"});
    }

    const Table& table_;
    const std::vector<std::string>& areas_;
    const std::map<std::string, Person>& known_;
    Table* consumed_;
    RosterSheet result_;
    std::map<RosterColumn, std::size_t> columns_;
    std::map<RosterColumn, std::string> titles_;
    std::map<std::pair<std::string, RosterRole>, int> rowsByEmail_;
    std::map<std::string, NameSeen> names_;
    std::map<std::string, int> leaderLines_;
    std::map<std::string, int> areaLeaderLines_;
    int networkLeaderLine_ = 0;
    int moreProblemsFrom_ = 0;  // the line of the first problem not kept
};

}  // namespace

const std::vector<RosterColumnSpec>& rosterColumns() {
    static const std::vector<RosterColumnSpec> columns = {
        {RosterColumn::Name, "Navn", "Name", {"Fullt navn", "Full name"}, true},
        {RosterColumn::Email, "E-post", "Email", {"E-postadresse", "E-mail", "Mail"}, true},
        {RosterColumn::Phone, "Telefon", "Phone", {"Tlf", "Mobil", "Mobilnummer", "Mobile"}, false},
        {RosterColumn::Area, "Område", "Area", {"Omrade"}, true},
        {RosterColumn::Municipality,
         "Kommune/Bydel",
         "Municipality",
         {"Kommune", "Bydel", "District", "City district"},
         false},
        {RosterColumn::Unit, "Arbeidssted", "Unit", {"Enhet", "Avdeling", "Workplace"}, true},
        {RosterColumn::UnitType, "Enhetstype", "Unit type", {}, false},
        {RosterColumn::Leader,
         "Leder",
         "Leader",
         {"Nærmeste leder", "Nearest leader", "Manager"},
         false},
        {RosterColumn::LeaderEmail,
         "Leders e-post",
         "Leader email",
         {"Leder e-post", "Leders epost", "Leader e-mail", "Manager email",
          "Nærmeste leders e-post"},
         true},
        {RosterColumn::Status, "Status", "Status", {}, false},
        {RosterColumn::Role, "Rolle", "Role", {}, false},
    };
    return columns;
}

RosterSheet readRosterSheet(const Table& table, const std::vector<std::string>& areas,
                            const std::map<std::string, Person>& knownPeople) {
    return SheetReader(table, areas, knownPeople).read();
}

RosterSheet readRosterSheet(Table&& table, const std::vector<std::string>& areas,
                            const std::map<std::string, Person>& knownPeople) {
    return SheetReader(table, areas, knownPeople, &table).read();
}

}  // namespace avtaleflyt

namespace avtaleflyt {

std::vector<std::vector<std::string>> writeRosterSheet(const Roster& roster,
                                                       const std::vector<std::string>& areas) {
    const auto& cols = rosterColumns();
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header;
    for (const auto& c : cols) header.push_back(c.norwegian);
    rows.push_back(header);

    const auto nameOf = [&](const std::string& email) {
        const Person* p = roster.person(email);
        return p ? p->name : std::string();
    };
    const auto phoneOf = [&](const std::string& email) {
        const Person* p = roster.person(email);
        return p ? p->phone : std::string();
    };
    // One row from the values it has, in the order of the columns (empty where it has none).
    const auto row = [&](std::initializer_list<std::pair<RosterColumn, std::string>> values) {
        std::vector<std::string> r(cols.size());
        for (std::size_t i = 0; i < cols.size(); ++i)
            for (const auto& [column, value] : values)
                if (column == cols[i].column)
                    r[i] = value;
        rows.push_back(std::move(r));
    };
    rows.reserve(roster.nurses.size() + roster.areaLeaders.size() + 2);
    if (!roster.networkLeader.empty())
        row({{RosterColumn::Name, nameOf(roster.networkLeader)},
             {RosterColumn::Email, roster.networkLeader},
             {RosterColumn::Phone, phoneOf(roster.networkLeader)},
             {RosterColumn::Role, "nettverksleder"}});
    for (const auto& area : areas) {
        const auto it = roster.areaLeaders.find(area);
        if (it == roster.areaLeaders.end())
            continue;
        row({{RosterColumn::Name, nameOf(it->second)},
             {RosterColumn::Email, it->second},
             {RosterColumn::Phone, phoneOf(it->second)},
             {RosterColumn::Area, area},
             {RosterColumn::Role, "områdeleder"}});
    }
    // Sorted by area (in the network's order), municipality, unit, name and e-mail (so no two
    // are alike); each nurse's person looked up once.
    struct Entry {
        std::ptrdiff_t area;
        const NurseMembership* nurse;
        const Person* person;
    };
    static const Person nobody;
    std::vector<Entry> entries;
    entries.reserve(roster.nurses.size());
    for (const auto& [email, n] : roster.nurses) {
        const Person* p = roster.person(email);
        entries.push_back({std::find(areas.begin(), areas.end(), n.unit.area) - areas.begin(), &n,
                           p ? p : &nobody});
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return std::tie(a.area, a.nurse->unit.municipality, a.nurse->unit.name, a.person->name,
                        a.nurse->email) < std::tie(b.area, b.nurse->unit.municipality,
                                                   b.nurse->unit.name, b.person->name,
                                                   b.nurse->email);
    });
    for (const Entry& e : entries) {
        const NurseMembership* n = e.nurse;
        row({{RosterColumn::Name, e.person->name},
             {RosterColumn::Email, n->email},
             {RosterColumn::Phone, e.person->phone},
             {RosterColumn::Area, n->unit.area},
             {RosterColumn::Municipality, n->unit.municipality},
             {RosterColumn::Unit, n->unit.name},
             {RosterColumn::UnitType, std::string(toNorwegian(n->unit.kind))},
             {RosterColumn::Leader, nameOf(n->leaderEmail)},
             {RosterColumn::LeaderEmail, n->leaderEmail},
             {RosterColumn::Status, std::string(toNorwegian(n->status))},
             {RosterColumn::Role, "ressurssykepleier"}});
    }
    return rows;
}

}  // namespace avtaleflyt
