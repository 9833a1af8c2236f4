#include "avtaleflyt/domain/Roster.h"

#include "EnumWords.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt {
namespace {

const EnumWords<MemberStatus>& statusWords() {
    static const EnumWords<MemberStatus> w = {
        {MemberStatus::Active, "active", "aktiv", {}},
        {MemberStatus::OnLeave, "leave", "perm", {"permisjon", "i permisjon", "on leave"}},
        {MemberStatus::Left, "left", "sluttet", {}}};
    return w;
}

const EnumWords<RosterRole>& roleWords() {
    static const EnumWords<RosterRole> w = {
        {RosterRole::Nurse, "nurse", "ressurssykepleier", {"resource nurse"}},
        {RosterRole::AreaLeader, "area leader", "områdeleder", {}},
        {RosterRole::NetworkLeader, "network leader", "nettverksleder", {}}};
    return w;
}

const EnumWords<UnitKind>& unitWords() {
    static const EnumWords<UnitKind> w = {
        {UnitKind::Municipality, "municipality", "kommune", {}},
        {UnitKind::CityDistrict, "city district", "bydel", {}},
        {UnitKind::NursingHome, "nursing home", "sykehjem", {}},
        {UnitKind::HomeCare, "home care", "hjemmetjeneste", {"hjemmesykepleie"}},
        {UnitKind::HospitalDepartment, "hospital department", "sykehusavdeling", {"avdeling"}},
        {UnitKind::Other, "other", "annet", {}}};
    return w;
}

}  // namespace

std::string_view toString(MemberStatus s) {
    return wordOf(statusWords(), s).name;
}
std::string_view describe(MemberStatus s) {
    return s == MemberStatus::OnLeave ? "on leave" : toString(s);
}
std::string_view toNorwegian(MemberStatus s) {
    return wordOf(statusWords(), s).norwegian;
}
std::optional<MemberStatus> parseMemberStatus(std::string_view text) {
    return byAnyWord(statusWords(), text);
}

std::string_view toString(RosterRole r) {
    return wordOf(roleWords(), r).name;
}
std::optional<RosterRole> parseRosterRole(std::string_view text) {
    return byAnyWord(roleWords(), text);
}

std::string_view toString(UnitKind k) {
    return wordOf(unitWords(), k).name;
}
std::string_view toNorwegian(UnitKind k) {
    return wordOf(unitWords(), k).norwegian;
}
std::optional<UnitKind> parseUnitKind(std::string_view text) {
    return byAnyWord(unitWords(), text);
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
