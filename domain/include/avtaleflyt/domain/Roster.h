#pragma once
// The roster of a competence network: who is a resource nurse where, under which nearest leader,
// who leads each area and the network. Values only; storage and import build and compare them.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avtaleflyt {

// A resource nurse's standing in the network.
enum class MemberStatus { Active, OnLeave, Left };

// "active", "leave", "left": the stored and printed form.
std::string_view toString(MemberStatus s);
// "active", "on leave", "left": for sentences.
std::string_view describe(MemberStatus s);
// "aktiv", "perm", "sluttet": what a Norwegian name list says.
std::string_view toNorwegian(MemberStatus s);
// Accepts the stored form and what leaders write: aktiv, perm, permisjon, sluttet, active,
// leave, on leave, left (any case). Nothing for anything else.
std::optional<MemberStatus> parseMemberStatus(std::string_view text);

// What a row of a name list describes.
enum class RosterRole { Nurse, AreaLeader, NetworkLeader };
std::string_view toString(RosterRole r);
// ressurssykepleier / nurse / resource nurse, områdeleder / area leader,
// nettverksleder / network leader (any case).
std::optional<RosterRole> parseRosterRole(std::string_view text);

enum class UnitKind {
    Municipality,
    CityDistrict,
    NursingHome,
    HomeCare,
    HospitalDepartment,
    Other
};
std::string_view toString(UnitKind k);
// kommune, bydel, sykehjem, hjemmetjeneste/hjemmesykepleie, sykehusavdeling/avdeling and the
// English forms municipality, city district, nursing home, home care, hospital department, other.
std::optional<UnitKind> parseUnitKind(std::string_view text);
// kommune, bydel, sykehjem, hjemmetjeneste, sykehusavdeling, annet.
std::string_view toNorwegian(UnitKind k);
// A kind guessed from a unit's name when the list does not say (documented in
// docs/roster-import.md).
UnitKind guessUnitKind(std::string_view unitName);

struct Person {
    std::string email;  // normalized (see Email.h); the identity
    std::string name;
    std::string phone;

    bool operator==(const Person& o) const {
        return email == o.email && name == o.name && phone == o.phone;
    }
};

// Where a unit sits: its area, its name, the municipality or city district it belongs to.
struct UnitRef {
    std::string area;
    std::string name;
    std::string municipality;
    UnitKind kind = UnitKind::Other;

    bool sameUnit(const UnitRef& o) const {
        return area == o.area && name == o.name && municipality == o.municipality;
    }
};

struct NurseMembership {
    std::string email;  // the nurse
    UnitRef unit;
    std::string leaderEmail;  // the nearest leader; empty only for a nurse who has left
    MemberStatus status = MemberStatus::Active;
    std::string statusSince;  // date, as stored; empty in a roster read from a file
    std::string memberSince;  // date, as stored; empty in a roster read from a file
};

// One network's roster: the people it names and their roles.
struct Roster {
    std::map<std::string, Person> people;            // by email
    std::map<std::string, NurseMembership> nurses;   // by nurse email
    std::map<std::string, std::string> areaLeaders;  // area name -> email
    std::string networkLeader;                       // email, or empty

    const Person* person(const std::string& email) const {
        const auto it = people.find(email);
        return it == people.end() ? nullptr : &it->second;
    }
};

}  // namespace avtaleflyt
