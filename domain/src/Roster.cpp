#include "avtaleflyt/domain/Roster.h"

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt {

std::string_view toString(MemberStatus s) {
    switch (s) {
        case MemberStatus::Active:
            return "active";
        case MemberStatus::OnLeave:
            return "leave";
        case MemberStatus::Left:
            return "left";
    }
    return "active";
}

std::string_view describe(MemberStatus s) {
    return s == MemberStatus::OnLeave ? "on leave" : toString(s);
}

std::string_view toNorwegian(MemberStatus s) {
    switch (s) {
        case MemberStatus::Active:
            return "aktiv";
        case MemberStatus::OnLeave:
            return "perm";
        case MemberStatus::Left:
            return "sluttet";
    }
    return "aktiv";
}

std::optional<MemberStatus> parseMemberStatus(std::string_view textIn) {
    const std::string t = text::foldCase(text::trim(textIn));
    if (t == "aktiv" || t == "active")
        return MemberStatus::Active;
    if (t == "perm" || t == "permisjon" || t == "i permisjon" || t == "leave" || t == "on leave")
        return MemberStatus::OnLeave;
    if (t == "sluttet" || t == "left")
        return MemberStatus::Left;
    return std::nullopt;
}

std::string_view toString(RosterRole r) {
    switch (r) {
        case RosterRole::Nurse:
            return "nurse";
        case RosterRole::AreaLeader:
            return "area leader";
        case RosterRole::NetworkLeader:
            return "network leader";
    }
    return "nurse";
}

std::optional<RosterRole> parseRosterRole(std::string_view textIn) {
    const std::string t = text::foldCase(text::trim(textIn));
    if (t == "ressurssykepleier" || t == "nurse" || t == "resource nurse")
        return RosterRole::Nurse;
    if (t == "områdeleder" || t == "area leader")
        return RosterRole::AreaLeader;
    if (t == "nettverksleder" || t == "network leader")
        return RosterRole::NetworkLeader;
    return std::nullopt;
}

std::string_view toString(UnitKind k) {
    switch (k) {
        case UnitKind::Municipality:
            return "municipality";
        case UnitKind::CityDistrict:
            return "city district";
        case UnitKind::NursingHome:
            return "nursing home";
        case UnitKind::HomeCare:
            return "home care";
        case UnitKind::HospitalDepartment:
            return "hospital department";
        case UnitKind::Other:
            return "other";
    }
    return "other";
}

std::optional<UnitKind> parseUnitKind(std::string_view textIn) {
    const std::string t = text::foldCase(text::trim(textIn));
    if (t == "kommune" || t == "municipality")
        return UnitKind::Municipality;
    if (t == "bydel" || t == "city district")
        return UnitKind::CityDistrict;
    if (t == "sykehjem" || t == "nursing home")
        return UnitKind::NursingHome;
    if (t == "hjemmetjeneste" || t == "hjemmesykepleie" || t == "home care")
        return UnitKind::HomeCare;
    if (t == "sykehusavdeling" || t == "avdeling" || t == "hospital department")
        return UnitKind::HospitalDepartment;
    if (t == "annet" || t == "other")
        return UnitKind::Other;
    return std::nullopt;
}

std::string_view toNorwegian(UnitKind k) {
    switch (k) {
        case UnitKind::Municipality:
            return "kommune";
        case UnitKind::CityDistrict:
            return "bydel";
        case UnitKind::NursingHome:
            return "sykehjem";
        case UnitKind::HomeCare:
            return "hjemmetjeneste";
        case UnitKind::HospitalDepartment:
            return "sykehusavdeling";
        case UnitKind::Other:
            return "annet";
    }
    return "annet";
}

UnitKind guessUnitKind(std::string_view unitName) {
    const std::string t = text::foldCase(unitName);
    const auto has = [&](const char* w) { return t.find(w) != std::string::npos; };
    if (has("sykehjem") || has("omsorgssenter") || has("helsehus"))
        return UnitKind::NursingHome;
    if (has("hjemmetjeneste") || has("hjemmesykepleie"))
        return UnitKind::HomeCare;
    if (has("avdeling") || has("sengepost") || has("sykehus"))
        return UnitKind::HospitalDepartment;
    if (has("bydel"))
        return UnitKind::CityDistrict;
    if (has("kommune"))
        return UnitKind::Municipality;
    return UnitKind::Other;
}

}  // namespace avtaleflyt
