#pragma once
// Writes small .xlsx workbooks the way Excel does (shared strings for text, numbers as <v>,
// empty cells left out, cell references on every cell), for the import tests.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace avtaleflyt::test {

struct XlsxOptions {
    bool inlineStrings = false;         // <c t="inlineStr"> instead of shared strings
    bool numericPhones = false;         // cells that are all digits become numbers
    bool richTextFirstCell = false;     // the first shared string split in two formatted runs
    bool extraSheetFirstInZip = false;  // a second sheet stored before the first in the zip
};

// Returns the bytes of a workbook whose first sheet holds `rows` (row 1 first).
std::string makeXlsx(const std::vector<std::vector<std::string>>& rows,
                     const XlsxOptions& options = {});

// The parts makeXlsx would zip, by name ("xl/worksheets/sheet1.xml"...), for a test to change
// before zipping them with makeZip.
std::map<std::string, std::string> xlsxParts(const std::vector<std::vector<std::string>>& rows,
                                             const XlsxOptions& options = {});

// Hostile workbooks are zipped from parts whose compressed bytes the test makes itself.
struct ZipPart {
    std::string name;
    std::string data;        // as stored: raw deflate data, or the content itself if `stored`
    std::uint32_t size = 0;  // the content's size (modulo 2^32), as the directory states it
    std::uint32_t crc = 0;   // the content's CRC-32
    bool stored = false;
};

// `content`, deflated (or stored as it is).
ZipPart zipPart(const std::string& name, const std::string& content, bool stored = false);

// A part whose content is `head`, `copies` times `chunk`, then `tail`, made in the time and
// space of one chunk: the copies repeat one compressed block (a zip bomb: 1 MiB of spaces
// deflates to about 1 KiB, so 2048 copies are a 2 MB zip that unpacks to 2 GiB).
ZipPart repeatedPart(const std::string& name, const std::string& head, const std::string& chunk,
                     std::size_t copies, const std::string& tail);

// A zip archive of `parts` in this order.
std::string makeZip(const std::vector<ZipPart>& parts);
// A zip archive of `parts` (from xlsxParts), each deflated.
std::string makeZip(const std::map<std::string, std::string>& parts);

}  // namespace avtaleflyt::test
