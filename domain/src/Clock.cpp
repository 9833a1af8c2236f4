#include "avtaleflyt/domain/Clock.h"

#include <cstdio>

namespace avtaleflyt {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
long long daysFromCivil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

struct Civil {
    long long year;
    unsigned month, day;
};

Civil civilFromDays(long long z) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long y = static_cast<long long>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

unsigned daysInMonth(long long y, unsigned m) {
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

bool readDigits(std::string_view text, std::size_t pos, std::size_t count, unsigned& out) {
    if (pos + count > text.size())
        return false;
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        out = out * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return true;
}

}  // namespace

std::string formatTimestamp(Timestamp t) {
    const long long secs = t.time_since_epoch().count();
    long long days = secs / 86400;
    long long rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    const Civil c = civilFromDays(days);
    char buf[96];  // room for any year, so the compiler can prove no truncation
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", c.year, c.month, c.day,
                  rem / 3600, rem / 60 % 60, rem % 60);
    return buf;
}

std::string formatDate(Timestamp t) {
    return formatTimestamp(t).substr(0, 10);
}

std::optional<Timestamp> parseTimestamp(std::string_view text) {
    if (!text.empty() && text.back() == 'Z')
        text.remove_suffix(1);
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (text.size() < 10 || !readDigits(text, 0, 4, y) || text[4] != '-' ||
        !readDigits(text, 5, 2, mo) || text[7] != '-' || !readDigits(text, 8, 2, d))
        return std::nullopt;
    if (text.size() > 10) {
        if ((text[10] != 'T' && text[10] != ' ') || !readDigits(text, 11, 2, h) ||
            text.size() < 16 || text[13] != ':' || !readDigits(text, 14, 2, mi))
            return std::nullopt;
        if (text.size() > 16 &&
            (text.size() != 19 || text[16] != ':' || !readDigits(text, 17, 2, s)))
            return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59)
        return std::nullopt;
    const long long secs = daysFromCivil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL + s;
    return Timestamp(std::chrono::seconds(secs));
}

Timestamp SystemClock::now() const {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace avtaleflyt
