#include "avtaleflyt/domain/Env.h"

#include <cstring>

namespace avtaleflyt {

EnvError::EnvError(const std::string& path, const std::string& what, int error)
    : std::runtime_error(path + ": " + what + ": " + std::strerror(error)) {}

}  // namespace avtaleflyt
