#include "avtaleflyt/engine/SampleNetwork.h"

#include <algorithm>
#include <map>
#include <unordered_set>
#include <vector>

namespace avtaleflyt::engine {
namespace {

// A small deterministic generator (the standard distributions differ between libraries).
class Random {
  public:
    explicit Random(std::uint32_t seed) : state_(seed * 2654435761u + 1) {}
    std::uint32_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }
    std::size_t below(std::size_t n) { return next() % n; }
    template <typename T>
    const T& pick(const std::vector<T>& v) {
        return v[below(v.size())];
    }

  private:
    std::uint32_t state_;
};

const std::vector<std::string> kFirstNames = {
    "Anne-Lise", "Bjørg",  "Åse",     "Kjersti", "Ingrid", "Solveig",  "Marit",    "Hanne",
    "Siv",       "Tone",   "Liv",     "Grete",   "Kari",   "Ragnhild", "Ørjan",    "Stian",
    "Jørgen",    "Håkon",  "Eirik",   "Mona",    "Trine",  "Synnøve",  "Mari-Ann", "Ann-Kristin",
    "Torbjørg",  "Silje",  "Ida",     "Nora",    "Emma",   "Sara",     "Maja",     "Thea",
    "Ingvild",   "Gro",    "Berit",   "Randi",   "Elin",   "Camilla",  "Linda",    "Heidi",
    "Astrid",    "Øyvind", "Knut",    "Sølvi",   "Märta",  "Aurora",   "Frøydis",  "Jon Erik",
    "Mette",     "Hilde",  "Vigdis",  "Turid",   "Bente",  "Fatima",   "Amina",    "Tuyet",
    "Agnieszka", "Line",   "Kristin", "Lene"};

const std::vector<std::string> kSurnames = {
    "Hansen",      "Johansen",   "Olsen",      "Larsen",    "Andersen",  "Pedersen",  "Nilsen",
    "Kristiansen", "Jensen",     "Karlsen",    "Johnsen",   "Pettersen", "Eriksen",   "Berg",
    "Haugen",      "Hagen",      "Andreassen", "Jacobsen",  "Dahl",      "Jørgensen", "Halvorsen",
    "Henriksen",   "Lund",       "Sørensen",   "Moen",      "Gundersen", "Iversen",   "Strand",
    "Solberg",     "Svendsen",   "Eide",       "Knutsen",   "Martinsen", "Bakken",    "Mathisen",
    "Lie",         "Amundsen",   "Nguyen",     "Rasmussen", "Lunde",     "Solheim",   "Nygård",
    "Bakke",       "Fredriksen", "Holm",       "Lien",      "Hauge",     "Sæther",    "Aas",
    "Myhre",       "Haugland",   "Rønning",    "Næss",      "Vik",       "Ødegård",   "Bøe",
    "Tveit",       "Brekke",     "Skår-Olsen", "D'Souza",   "Kowalska",  "Østby",     "Aasland",
    "Grønvold",    "Løken"};

struct AreaPlan {
    std::string name;
    std::vector<std::string> municipalities;
    int share;  // per mille of the nurses
};

const std::vector<AreaPlan> kAreas = {
    {"Bydelene i Oslo", {"Bydel Alna", "Bydel Grorud", "Bydel Stovner"}, 140},
    {"Follo", {"Nordre Follo", "Ås", "Frogn", "Nesodden", "Vestby", "Enebakk"}, 160},
    {"Nedre Romerike", {"Lillestrøm", "Lørenskog", "Rælingen", "Aurskog-Høland"}, 180},
    {"Øvre Romerike", {"Ullensaker", "Nes", "Eidsvoll", "Nannestad", "Gjerdrum", "Hurdal"}, 160},
    {"Kongsvinger", {"Kongsvinger", "Sør-Odal", "Nord-Odal", "Eidskog", "Grue", "Åsnes"}, 120},
    {"Ahus", {"Akershus universitetssykehus"}, 240},
};

const std::vector<std::string> kHomeNames = {
    "Solbakken",  "Lindeheim", "Bjørkely", "Furuly",   "Granheim",  "Eikelund", "Rosenhaugen",
    "Kløverenga", "Tunet",     "Åsgården", "Lyngheim", "Fjellhaug", "Sjøglimt", "Bekkefaret"};
const std::vector<std::string> kHomeKinds = {"sykehjem", "omsorgssenter", "helsehus"};
const std::vector<std::string> kZones = {"nord", "sør", "øst", "vest", "sentrum"};
const std::vector<std::string> kDepartments = {
    "Kreftavdelingen, sengepost",      "Lungeavdelingen, sengepost",
    "Hjerteavdelingen, sengepost",     "Geriatrisk avdeling, sengepost",
    "Medisinsk avdeling, sengepost",   "Gastrokirurgisk avdeling, sengepost",
    "Nevrologisk avdeling, sengepost", "Nyremedisinsk avdeling, sengepost"};

// ASCII form of a name for an e-mail address: "Ørjan Skår-Olsen" -> "orjan.skar-olsen".
std::string mailPart(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0xC3 && i + 1 < s.size()) {
            const auto n = static_cast<unsigned char>(s[++i]);
            switch (n) {
                case 0xA6:
                case 0x86:
                    out += "ae";
                    break;  // æ Æ
                case 0xB8:
                case 0x98:
                    out += "o";
                    break;  // ø Ø
                case 0xA5:
                case 0x85:
                    out += "aa";
                    break;  // å Å
                case 0xA4:
                case 0x84:
                    out += "a";
                    break;  // ä Ä
                case 0xB6:
                case 0x96:
                    out += "o";
                    break;  // ö Ö
                default:
                    break;
            }
        } else if (c == ' ') {
            out += '.';
        } else if ((c >= 'a' && c <= 'z') || c == '-') {
            out += static_cast<char>(c);
        } else if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c + 32);
        }
    }
    return out;
}

class Builder {
  public:
    // `people`: about how many it will make.
    Builder(std::uint32_t seed, std::size_t people) : rnd_(seed) {
        names_.reserve(2 * people);
        emails_.reserve(people);
    }

    // A new person with a name nobody in the network has (easier to read). Small networks get
    // plain names (first name and surname: 3,900 of them); once eight tries in a row find only
    // names in use, the builder moves for good to names with a second surname, then also a middle
    // name (15 million), so even 100,000 nurses end quickly.
    Person person(const std::string& domain) {
        std::string name;
        for (int attempt = 0; name.empty() || !names_.insert(hash_(name)).second; ++attempt) {
            if (attempt == 8) {
                attempt = 0;
                ++level_;
            }
            name = rnd_.pick(kFirstNames);
            if (level_ >= 2)
                name += " " + rnd_.pick(kFirstNames);
            name += " " + rnd_.pick(kSurnames);
            if (level_ >= 1)
                name += " " + rnd_.pick(kSurnames);
            if (level_ >= 3)  // beyond any real chance; a bound all the same
                name += " " + std::to_string(names_.size());
        }
        const std::string local = mailPart(name);
        std::string email = local + "@" + domain;
        for (int n = 2; !emails_.insert(hash_(email)).second; ++n)
            email = local + std::to_string(n) + "@" + domain;
        const std::uint32_t number = 40000000u + static_cast<std::uint32_t>(rnd_.below(60000000));
        std::string digits = std::to_string(number);
        if (rnd_.below(2))
            digits[0] = '9';
        return {email, name, digits.substr(0, 3) + " " + digits.substr(3, 2) + " " + digits.substr(5)};
    }

    Random& random() { return rnd_; }

  private:
    Random rnd_;
    int level_ = 0;  // how many name parts beyond first name and surname
    // Names and addresses in use, by their hashes: two that share a hash count as one in use,
    // which keeps every name unique and costs no more than another try.
    std::hash<std::string> hash_;
    std::unordered_set<std::size_t> names_, emails_;
};

std::string domainFor(const std::string& municipality) {
    if (municipality == "Akershus universitetssykehus")
        return "ahus.example";
    std::string m = mailPart(municipality);
    if (m.rfind("bydel.", 0) == 0)
        return "bydel-" + m.substr(6) + ".oslo.kommune.example";
    return m + ".kommune.example";
}

// Moves `items` (each e-mail once) into `map`, keyed by e-mail, inserting in order at the end.
template <typename T>
void intoMapByEmail(std::vector<T>& items, std::map<std::string, T>& map) {
    std::sort(items.begin(), items.end(),
              [](const T& a, const T& b) { return a.email < b.email; });
    for (auto& item : items) {
        std::string key = item.email;
        map.emplace_hint(map.end(), std::move(key), std::move(item));
    }
}

}  // namespace

SampleNetwork makeSampleNetwork(std::uint32_t seed, int nurses) {
    Builder b(seed, static_cast<std::size_t>(nurses) * 5 / 4 + 16);
    SampleNetwork net;
    net.name = "Kompetansenettverk for lindrende behandling, Ahus-området";
    Roster& r = net.roster;

    // Gathered first, then put into the roster's maps in e-mail order (no search per insert).
    std::vector<Person> people;
    std::vector<NurseMembership> members;
    const Person head = b.person("ahus.example");
    people.push_back(head);
    r.networkLeader = head.email;

    int made = 0;
    for (std::size_t a = 0; a < kAreas.size(); ++a) {
        const AreaPlan& plan = kAreas[a];
        net.areas.push_back(plan.name);
        const Person areaLeader = b.person(domainFor(plan.municipalities.front()));
        people.push_back(areaLeader);
        r.areaLeaders[plan.name] = areaLeader.email;

        const int target = a + 1 == kAreas.size() ? nurses - made : nurses * plan.share / 1000;
        int inArea = 0;
        std::string previousLeader;
        for (std::size_t unitNo = 0; inArea < target; ++unitNo) {
            const std::string& municipality =
                plan.municipalities[unitNo % plan.municipalities.size()];
            const std::string domain = domainFor(municipality);
            UnitRef unit;
            unit.area = plan.name;
            unit.municipality = municipality;
            if (plan.name == "Ahus") {
                unit.name = kDepartments[unitNo % kDepartments.size()] + " " +
                            std::to_string(unitNo / kDepartments.size() + 1);
                unit.kind = UnitKind::HospitalDepartment;
            } else if (unitNo % 3 == 2) {
                unit.name = "Hjemmetjenesten " + kZones[(unitNo / 3) % kZones.size()];
                unit.kind = UnitKind::HomeCare;
            } else {
                unit.name = kHomeNames[(unitNo * 5 + a) % kHomeNames.size()] + " " +
                            kHomeKinds[unitNo % kHomeKinds.size()];
                unit.kind = UnitKind::NursingHome;
            }
            // Every fourth unit shares its leader with the unit before it.
            std::string leader;
            if (unitNo % 4 == 3 && !previousLeader.empty()) {
                leader = previousLeader;
            } else {
                people.push_back(b.person(domain));
                leader = people.back().email;
            }
            previousLeader = leader;

            const int size = 1 + static_cast<int>(b.random().below(plan.name == "Ahus" ? 5 : 4));
            for (int k = 0; k < size && inArea < target; ++k, ++inArea, ++made) {
                people.push_back(b.person(domain));
                NurseMembership m;
                m.email = people.back().email;
                m.unit = unit;
                m.leaderEmail = leader;
                m.status = made % 19 == 7 ? MemberStatus::OnLeave : MemberStatus::Active;
                members.push_back(std::move(m));
            }
        }
    }
    intoMapByEmail(people, r.people);
    intoMapByEmail(members, r.nurses);
    // Two nurses who have left, still on the list as leaders often keep them.
    int leaving = 2;
    for (auto& [email, m] : r.nurses) {
        if (leaving == 0)
            break;
        if (m.status == MemberStatus::Active && email.size() % 7 == 0) {
            --leaving;
            m.status = MemberStatus::Left;
        }
    }
    return net;
}

}  // namespace avtaleflyt::engine
