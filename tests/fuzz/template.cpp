// parseTemplate (documents/Templates.h: libxml2, template.xsd, the reader) on any bytes: a
// template, or a TemplateError.
#include "Fuzz.h"
#include "avtaleflyt/documents/Templates.h"

using namespace avtaleflyt;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::once([] { documents::shippedTemplates(); });  // compiles the schema
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const DocumentTemplate t = documents::parseTemplate(fuzz::bytes(data, size), "fuzz.xml");
        fuzz::require(t.version > 0 && !t.blocks.empty(), "a version and at least one section");
    } catch (const TemplateError&) {
    }
    return 0;
}
