#include "avtaleflyt/domain/WorkingTime.h"

#include <cstdio>
#include <ctime>

namespace avtaleflyt {
namespace {

using namespace std::chrono;

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
long daysFromCivil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}

std::tm utc(Timestamp t) {
    const std::time_t secs = system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return tm;
}

Timestamp at(int y, unsigned m, unsigned d, int hour) {
    return Timestamp(seconds(daysFromCivil(y, m, d) * 86400L + hour * 3600L));
}

// The last Sunday of `month` in `year`, 01:00 UTC: when Europe switches summer time.
Timestamp lastSundayOneUtc(int year, unsigned month) {
    const unsigned lastDay = month == 3 || month == 10 ? 31 : 30;
    const long days = daysFromCivil(year, month, lastDay);
    const long weekday = (days + 4) % 7;  // 1970-01-01 was a Thursday (4); Sunday is 0
    return Timestamp(seconds((days - weekday) * 86400L + 3600L));
}

// Oslo's offset from UTC at `t`.
seconds osloOffset(Timestamp t) {
    const int year = utc(t).tm_year + 1900;
    const bool summer = t >= lastSundayOneUtc(year, 3) && t < lastSundayOneUtc(year, 10);
    return hours(summer ? 2 : 1);
}

std::string date(int y, unsigned m, unsigned d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
}

std::string plusDays(const std::string& iso, int days) {
    const auto t = parseTimestamp(iso);
    return formatDate(*t + hours(24 * days));
}

}  // namespace

std::string easterSunday(int year) {
    // The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    const int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
    const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return date(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::string norwegianHoliday(const std::string& iso) {
    if (iso.size() != 10)
        return "";
    const int year = std::stoi(iso.substr(0, 4));
    const std::string md = iso.substr(5);
    if (md == "01-01")
        return "Første nyttårsdag";
    if (md == "05-01")
        return "Arbeidernes dag";
    if (md == "05-17")
        return "Grunnlovsdag";
    if (md == "12-25")
        return "Første juledag";
    if (md == "12-26")
        return "Andre juledag";
    const std::string easter = easterSunday(year);
    static const std::pair<int, const char*> movable[] = {
        {-3, "Skjærtorsdag"}, {-2, "Langfredag"},          {0, "Første påskedag"},
        {1, "Andre påskedag"}, {39, "Kristi himmelfartsdag"}, {49, "Første pinsedag"},
        {50, "Andre pinsedag"}};
    for (const auto& [offset, name] : movable)
        if (plusDays(easter, offset) == iso)
            return name;
    return "";
}

std::string osloLocalTime(Timestamp t) {
    return formatTimestamp(t + osloOffset(t)).substr(0, 16);
}

bool isOfficeTime(Timestamp t, const OfficeHours& hours) {
    const Timestamp local = t + osloOffset(t);
    const std::tm tm = utc(local);
    if (tm.tm_wday == 0 || tm.tm_wday == 6)
        return false;
    if (tm.tm_hour < hours.firstHour || tm.tm_hour >= hours.endHour)
        return false;
    return norwegianHoliday(formatDate(local)).empty();
}

Timestamp nextOfficeTime(Timestamp t, const OfficeHours& hours) {
    if (isOfficeTime(t, hours))
        return t;
    // The start of office hours on this day or one of the next (a holiday week is at most a
    // few days; two weeks is more than enough).
    const std::tm local = utc(t + osloOffset(t));
    for (int day = 0; day < 14; ++day) {
        const Timestamp localStart =
            at(local.tm_year + 1900, static_cast<unsigned>(local.tm_mon + 1),
               static_cast<unsigned>(local.tm_mday), hours.firstHour) +
            std::chrono::hours(24 * day);
        const Timestamp start = localStart - osloOffset(localStart);
        if (start > t && isOfficeTime(start, hours))
            return start;
    }
    return t;
}

}  // namespace avtaleflyt
