#include <catch2/catch.hpp>

#include "avtaleflyt/domain/Text.h"

using namespace avtaleflyt;

TEST_CASE("Windows-1252 bytes become the same letters in UTF-8", "[text]") {
    // "Bjørg Ødegård – «Ås»" in Windows-1252
    const std::string cp1252 =
        "Bj\xF8rg \xD8"
        "deg\xE5rd \x96 \xAB\xC5s\xBB \x80";
    CHECK(text::windows1252ToUtf8(cp1252) == "Bjørg Ødegård – «Ås» €");
    CHECK(text::isValidUtf8(text::windows1252ToUtf8(cp1252)));
    CHECK_FALSE(text::isValidUtf8(cp1252));
}

TEST_CASE("UTF-8 validation rejects overlongs, surrogates and cut sequences", "[text]") {
    CHECK(text::isValidUtf8("Æøå – “sitat”"));
    CHECK_FALSE(text::isValidUtf8("\xC0\xAF"));      // overlong '/'
    CHECK_FALSE(text::isValidUtf8("\xED\xA0\x80"));  // surrogate
    CHECK_FALSE(text::isValidUtf8("\xC3"));          // cut
    CHECK_FALSE(text::isValidUtf8("abc\xE2\x82"));   // cut at the end
}

TEST_CASE("case folding covers Æ Ø Å and trimming covers no-break spaces", "[text]") {
    CHECK(text::foldCase("ØVRE ROMERIKE Åse Æ") == "øvre romerike åse æ");
    CHECK(text::trim("\xC2\xA0 Follo \t\xC2\xA0") == "Follo");
    CHECK(text::trim("   ") == "");
    CHECK(text::equalsFolded(" øvre romerike", "Øvre Romerike "));
}

TEST_CASE("display width counts letters, not bytes", "[text]") {
    CHECK(text::displayWidth("Ødegård") == 7);
    CHECK(text::padRight("Åse", 5) == "Åse  ");
}

TEST_CASE("XML escaping covers the characters that break markup", "[text]") {
    CHECK(text::escapeXml("Liv <Lie> & \"co\" – æøå") ==
          "Liv &lt;Lie&gt; &amp; &quot;co&quot; – æøå");
}

TEST_CASE("hexadecimal both ways, and a text that is not hex is refused", "[text]") {
    const std::string bytes("\x00\x7f\x80\xff", 4);
    CHECK(text::hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) ==
          "007f80ff");
    CHECK(text::fromHex("007F80ff") == bytes);
    CHECK_FALSE(text::fromHex("abc"));
    CHECK_FALSE(text::fromHex("zz"));
}

TEST_CASE("base64 gives RFC 4648's test vectors, the URL alphabet has no padding", "[text]") {
    CHECK(text::base64("") == "");
    CHECK(text::base64("f") == "Zg==");
    CHECK(text::base64("fo") == "Zm8=");
    CHECK(text::base64("foo") == "Zm9v");
    CHECK(text::base64("foobar") == "Zm9vYmFy");
    CHECK(text::base64("\xfb\xff", false) == "+/8=");
    CHECK(text::base64("\xfb\xff", true) == "-_8");
}

TEST_CASE("text is cut to a number of bytes between characters, never inside one", "[text]") {
    CHECK(text::truncateUtf8("Kari Bø", 100) == "Kari Bø");
    CHECK(text::truncateUtf8("Kari Bø", 7) == "Kari B");  // "ø" is two bytes, the 7th inside it
    CHECK(text::truncateUtf8("Kari Bø", 8) == "Kari Bø");
    CHECK(text::truncateUtf8("€", 2).empty());
    CHECK(text::isValidUtf8(text::truncateUtf8(std::string(5, 'a') + "æøå", 6)));
}
