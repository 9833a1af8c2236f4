#pragma once
// Page templates: files under apps/portal/pages, compiled into the binary. The syntax:
//   {{name}}              the text value `name`, HTML-escaped
//   {{t.key}}             the message catalogue's text `key`, HTML-escaped
//   {{{name}}}            the HTML value `name`, inserted as it is: only for fragments the code
//                         built from escaped parts
//   {{#name}}...{{/name}} repeated for each row of the rows `name`, or once if the text `name`
//                         is not empty; inside, a row's names come before the outer ones
//   {{^name}}...{{/name}} once if the rows or the text `name` are empty
// A name the values do not hold is an error (TemplateError), never an empty insertion.

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "avtaleflyt/engine/Texts.h"

namespace avtaleflyt::portal {

struct TemplateError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Values {
    std::map<std::string, std::string> text, html;
    std::map<std::string, std::vector<Values>> rows;
};

class Template {
  public:
    // Throws TemplateError if a section is not closed or a tag not ended.
    Template(const std::string& name, const std::string& source);
    // Throws TemplateError for a name `values` (or, for t.key, `messages`) does not hold.
    std::string render(const Values& values, const engine::Texts& messages) const;
    // The embedded template `file` (e.g. "signing.html"), parsed once; TemplateError if none.
    static const Template& named(const std::string& file);
    // Every embedded template's file name.
    static std::vector<std::string> names();

    struct Node {
        enum class Kind { Text, Escaped, Raw, Section, Inverted } kind;
        std::string value;  // the text, or the name
        std::vector<Node> children;
    };

  private:
    std::string name_;
    std::vector<Node> nodes_;
};

// The embedded style sheet `file` ("portal.css", "app.css").
const std::string& styleSheet(const std::string& file);

}  // namespace avtaleflyt::portal
