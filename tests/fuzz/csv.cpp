// parseCsv (documents/src/Csv.cpp) on any bytes; see Table.h.
#include "Table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return avtaleflyt::fuzz::readTable(&avtaleflyt::documents::parseCsv, "fuzz.csv", data, size);
}
