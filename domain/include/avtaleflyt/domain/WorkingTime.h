#pragma once
// Norwegian working time: public holidays (the fixed ones and those that follow Easter),
// weekends, and office hours in Norwegian local time (Europe/Oslo: CET, CEST from the last
// Sunday of March to the last Sunday of October). Reminders go out only in office hours.

#include <string>

#include "avtaleflyt/domain/Clock.h"

namespace avtaleflyt {

struct OfficeHours {
    int firstHour = 8;  // local time, from 08:00
    int endHour = 16;   // until 16:00
};

// Easter Sunday of `year` (Gregorian), as "YYYY-MM-DD".
std::string easterSunday(int year);
// The public holiday on `date` ("YYYY-MM-DD"), by its Norwegian name ("Skjærtorsdag"), or "".
// New Year's Day, Maundy Thursday, Good Friday, Easter Sunday and Monday, 1 and 17 May,
// Ascension Day, Whit Sunday and Monday, Christmas Day and Boxing Day.
std::string norwegianHoliday(const std::string& date);

// `t` in Norwegian local time, as "YYYY-MM-DDTHH:MM" (for messages).
std::string osloLocalTime(Timestamp t);
// Whether `t` is on a weekday that is no public holiday, within office hours, in Oslo.
bool isOfficeTime(Timestamp t, const OfficeHours& hours = {});
// `t` itself if it is office time, else the start of the next office hours.
Timestamp nextOfficeTime(Timestamp t, const OfficeHours& hours = {});

}  // namespace avtaleflyt
