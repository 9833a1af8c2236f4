#include "avtaleflyt/documents/PdfContent.h"

#include <podofo/podofo.h>

#include <algorithm>
#include <functional>

#include "PdfStreams.h"
#include "avtaleflyt/documents/Pdf.h"

using namespace PoDoFo;

namespace avtaleflyt::documents {
namespace {

// The phrase for a dictionary key or an action type (/S) that acts or carries files.
const char* kindOf(const std::string& name) {
    if (name == "JS" || name == "JavaScript")
        return "JavaScript";
    if (name == "OpenAction")
        return "an action when opened (/OpenAction)";
    if (name == "AA")
        return "actions on events (/AA)";
    if (name == "Launch")
        return "a launch action";
    if (name == "EmbeddedFiles" || name == "EmbeddedFile")
        return "embedded files";
    if (name == "SubmitForm" || name == "ImportData")
        return "a form that submits or imports data";
    if (name == "XFA")
        return "XFA form data";
    if (name == "RichMedia")
        return "rich media";
    return nullptr;
}

}  // namespace

std::vector<std::string> activeContent(const std::string& pdf) {
    configurePodofo();
    std::vector<std::string> found;
    const auto note = [&](const char* kind) {
        if (kind && std::find(found.begin(), found.end(), kind) == found.end())
            found.emplace_back(kind);
    };
    try {
        PdfMemDocument doc;
        doc.LoadFromBuffer(pdf.data(), static_cast<long>(pdf.size()));
        // Every object, those inside object streams included (PoDoFo unpacks them on load),
        // and the dictionaries and arrays written inside them, to a depth no scan needs.
        constexpr int kDepth = 32;
        std::function<void(const PdfObject&, int)> visit = [&](const PdfObject& o, int depth) {
            if (depth > kDepth)
                return;
            if (o.IsArray())
                for (const auto& item : o.GetArray()) visit(item, depth + 1);
            if (!o.IsDictionary())
                return;
            for (const auto& [key, value] : o.GetDictionary().GetKeys()) {
                note(kindOf(key.GetName()));
                if ((key.GetName() == "S" || key.GetName() == "Type") && value->IsName())
                    note(kindOf(value->GetName().GetName()));
                visit(*value, depth + 1);
            }
        };
        for (const PdfObject* object : doc.GetObjects()) visit(*object, 0);
    } catch (const PoDoFo::PdfError& e) {
        throw documents::PdfError(std::string("cannot read the PDF: ") +
                                  PoDoFo::PdfError::ErrorMessage(e.GetError()));
    }
    return found;
}

}  // namespace avtaleflyt::documents
