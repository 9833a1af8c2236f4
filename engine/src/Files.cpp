#include "avtaleflyt/engine/Files.h"

#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/engine/Installation.h"

namespace avtaleflyt::engine {

std::string readFile(const std::string& path) {
    return documents::readFile(path);
}

void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode) {
    documents::writeFileAtomically(path, bytes, mode);
}

std::string formatCsv(const std::vector<std::vector<std::string>>& rows) {
    return documents::formatCsv(rows);
}

// Installation.h
void prepareProcessForRendering() {
    documents::keepAllocatorMemoryForRendering();
}

}  // namespace avtaleflyt::engine
