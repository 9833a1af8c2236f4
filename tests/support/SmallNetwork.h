#pragma once
// The small network several engine tests start from: one area (Follo), two nurses (Åse Bø and
// Kari Berg) with the same nearest leader (Tor Li), their function descriptions sent.

#include <string>

#include "TestSupport.h"
#include "Tester.h"
#include "avtaleflyt/engine/Files.h"
#include "avtaleflyt/engine/Installation.h"

namespace avtaleflyt::test {

// Adds `network` to `inst`, imports the two nurses (through a roster written to `csvPath`) and
// sends their function descriptions (FB-YEAR-0001 to Åse, -0002 to Kari).
inline void seedSmallNetwork(const engine::Installation& inst, const std::string& network,
                             const std::string& csvPath) {
    inst.rosters().addNetwork(kTester, network, {"Follo"});
    writeFile(csvPath,
              engine::formatCsv(
                  {{"Navn", "E-post", "Område", "Arbeidssted", "Leder", "Leders e-post"},
                   {"Åse Bø", "ase@frogn.example", "Follo", "Tunet", "Tor Li", "tor@frogn.example"},
                   {"Kari Berg", "kari@frogn.example", "Follo", "Tunet", "Tor Li",
                    "tor@frogn.example"}}));
    inst.rosters().importRoster(kTester, csvPath, network, false);
    inst.cases().sendFunctionDescriptions(kTester, network, "", false);
}

}  // namespace avtaleflyt::test
