#pragma once
// Engine settings for the tests that open installations themselves.

#include <string>

#include "avtaleflyt/engine/Settings.h"

namespace avtaleflyt::test {

// The settings of an installation on `database` (from newDatabase(): "" is the data folder's
// SQLite file), everything else the default.
inline engine::Settings onDatabase(const std::string& database) {
    engine::Settings settings;
    settings.databaseUrl = database;
    return settings;
}

}  // namespace avtaleflyt::test
