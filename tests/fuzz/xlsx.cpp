// parseXlsx (documents/src/Xlsx.cpp and ZipReader.cpp: the zip directory, inflating, libxml2's
// SAX parser, the table builder) on any bytes; see Table.h.
#include "Table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return avtaleflyt::fuzz::readTable(&avtaleflyt::documents::parseXlsx, "fuzz.xlsx", data, size);
}
