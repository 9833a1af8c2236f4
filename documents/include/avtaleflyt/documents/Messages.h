#pragma once
// Message catalogues: the texts people read (PDFs now; mails and the portal later), per
// language, from documents/messages/LANG.properties compiled into the binary.

#include <map>
#include <string>
#include <vector>

namespace avtaleflyt::documents {

class Messages {
  public:
    // The catalogue for `language` ("nb", "en"); an unknown language gets Norwegian bokmål.
    static const Messages& forLanguage(const std::string& language);

    // The text for `key` with {0}, {1}, ... replaced by `args`. An unknown key returns the key
    // itself, so a gap shows up in review rather than as an empty string.
    std::string text(const std::string& key, const std::vector<std::string>& args = {}) const;
    bool has(const std::string& key) const { return texts_.count(key) > 0; }
    const std::map<std::string, std::string>& all() const { return texts_; }

  private:
    std::map<std::string, std::string> texts_;
};

}  // namespace avtaleflyt::documents
