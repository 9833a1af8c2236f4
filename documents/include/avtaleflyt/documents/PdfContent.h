#pragma once
// What a PDF from outside (a scanned paper signature) holds beyond pages: content that acts
// when the file is opened, or files inside it. A scanner writes none of it; a PDF that holds
// any is not taken into the archive.

#include <string>
#include <vector>

namespace avtaleflyt::documents {

// What acts or is carried in `pdf`, one phrase per kind found, in English: "JavaScript",
// "an action when opened (/OpenAction)", "actions on events (/AA)", "a launch action",
// "embedded files", "a form that submits or imports data", "XFA form data", "rich media".
// Empty: nothing of it. Throws PdfError when the file cannot be read as a PDF.
std::vector<std::string> activeContent(const std::string& pdf);

}  // namespace avtaleflyt::documents
