#pragma once
// Private to storage: what the repositories need of an open database.

#include <Poco/Data/Session.h>

#include <string>

#include "avtaleflyt/storage/Database.h"

struct sqlite3;

namespace avtaleflyt::storage {

class Database::Impl {
  public:
    Impl(std::string file, Poco::Data::Session opened)
        : path(std::move(file)), session(std::move(opened)) {}

    // Runs SQL that may hold several statements; throws StorageError naming `what`.
    void execScript(const std::string& sql, const std::string& what);
    sqlite3* handle();

    std::string path;
    Poco::Data::Session session;
};

}  // namespace avtaleflyt::storage
