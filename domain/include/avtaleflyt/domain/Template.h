#pragma once
// Document templates: versioned texts with {{placeholders}}, and filling them in. A missing
// value is an error naming the placeholder and where it stands, never a gap in a PDF.

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace avtaleflyt {

struct TemplateBlock {
    enum class Kind { Heading, Paragraph, ListItem };
    Kind kind = Kind::Paragraph;
    int level = 1;     // headings: 1 for a section, 2 for a subsection
    std::string text;  // UTF-8, with {{placeholders}} in a template
    int line = 0;      // where it stands in the template file
};

struct DocumentTemplate {
    std::string name;  // "function-description"
    int version = 0;
    std::string language;  // "nb"
    std::string source;    // file name, for messages
    std::string title;
    int titleLine = 0;
    std::vector<TemplateBlock> blocks;  // the intro is the first paragraph, if any
};

// A template with every placeholder filled in.
struct FilledDocument {
    std::string title;
    std::vector<TemplateBlock> blocks;
};

// Lists every missing value, one per line, as "SOURCE:LINE: {{name}} has no value".
class TemplateError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The placeholder names the template uses, sorted, each once.
std::vector<std::string> placeholders(const DocumentTemplate& t);

// Replaces every {{name}} by values.at(name). Throws TemplateError listing all placeholders that
// have no value or an empty one.
FilledDocument fillTemplate(const DocumentTemplate& t,
                            const std::map<std::string, std::string>& values);

}  // namespace avtaleflyt
