#pragma once
// A send of function descriptions with every nurse it told of kept: for tests that look at the
// nurses and cases one by one (the engine itself keeps none of them).

#include <string>
#include <vector>

#include "Tester.h"
#include "avtaleflyt/engine/Installation.h"

namespace avtaleflyt::test {

struct SendLog {
    engine::SendReport totals;
    std::vector<engine::SendCandidate> candidates;  // every nurse told of, in order
    std::vector<engine::SentCase> sent;             // the cases sent, in order
};

inline SendLog sendLogged(const engine::Installation& inst, const std::string& network,
                          const std::string& area, bool dryRun) {
    SendLog log;
    log.totals = inst.cases().sendFunctionDescriptions(
        kTester, network, area, dryRun,
        [&](const engine::SendCandidate& nurse, const engine::SentCase* sent) {
            log.candidates.push_back(nurse);
            if (sent)
                log.sent.push_back(*sent);
        });
    return log;
}

}  // namespace avtaleflyt::test
