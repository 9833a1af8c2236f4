#pragma once
// Who the engine tests act as: the audit log names "cli:test" on what they change.

#include "avtaleflyt/engine/Basics.h"

namespace avtaleflyt::test {

inline const engine::Actor kTester{"cli:test"};

}  // namespace avtaleflyt::test
