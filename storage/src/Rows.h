#pragma once
// Private to storage: reading cells of a Poco::Data::RecordSet, NULL as empty or zero.

#include <Poco/Data/RecordSet.h>

#include <cstdint>
#include <string>

namespace avtaleflyt::storage {

inline std::string textAt(const Poco::Data::RecordSet& rs, std::size_t row, std::size_t col) {
    return rs.isNull(col, row) ? std::string() : rs.value(col, row).convert<std::string>();
}

inline std::int64_t integerAt(const Poco::Data::RecordSet& rs, std::size_t row, std::size_t col) {
    return rs.isNull(col, row) ? 0 : rs.value(col, row).convert<std::int64_t>();
}

}  // namespace avtaleflyt::storage
