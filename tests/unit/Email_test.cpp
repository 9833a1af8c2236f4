#include <catch2/catch.hpp>

#include "avtaleflyt/domain/Email.h"

using namespace avtaleflyt;

TEST_CASE("addresses are compared trimmed and in lower case", "[email]") {
    CHECK(normalizeEmail("  Kari.Berg@Frogn.Kommune.EXAMPLE ") ==
          "kari.berg@frogn.kommune.example");
}

TEST_CASE("well-formed addresses pass", "[email]") {
    for (const char* ok : {"kari.berg@frogn.kommune.example", "o'neil+roster@ahus.example",
                           "a@b.no", "per-ivar@sykehus.example", "ås@bø.example"}) {
        INFO(ok);
        CHECK(isWellFormedEmail(ok));
    }
}

TEST_CASE("malformed addresses fail", "[email]") {
    for (const char* bad :
         {"kari.berg", "kari@", "@ahus.example", "kari@ahus", "kari berg@ahus.example",
          "kari@@ahus.example", "kari@ahus..example", "kari@-ahus.example", ".kari@ahus.example",
          "kari@ahus.example.", "kari;per@ahus.example"}) {
        INFO(bad);
        CHECK_FALSE(isWellFormedEmail(bad));
    }
}
