#pragma once
// Document templates as files: validated against documents/templates/template.xsd and read.

#include <string>
#include <vector>

#include "avtaleflyt/domain/Template.h"

namespace avtaleflyt::documents {

// Reads a template from XML text; `source` names it in messages. Throws TemplateError with
// "SOURCE:LINE: ..." for XML that is not well-formed or does not follow the schema.
DocumentTemplate parseTemplate(const std::string& xml, const std::string& source);

// The templates shipped with avtaleflyt (documents/templates/NAME-vN.xml), every version.
const std::vector<DocumentTemplate>& shippedTemplates();

// The template `name` at `version`. Throws TemplateError if there is none.
const DocumentTemplate& shippedTemplate(const std::string& name, int version);

}  // namespace avtaleflyt::documents
