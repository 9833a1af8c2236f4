#pragma once
// The message catalogues: the texts people read (documents, mails, the portal), per language,
// compiled into the binary (documents/messages/LANG.properties).

#include <string>
#include <vector>

namespace avtaleflyt::engine {

class Texts {
  public:
    // The catalogue of `language` ("nb", "en"); an unknown language gets Norwegian bokmål.
    explicit Texts(std::string language);

    // The text for `key` with {0}, {1}, ... replaced by `args`. An unknown key returns the key
    // itself, so a gap shows up in review rather than as an empty string.
    std::string text(const std::string& key, const std::vector<std::string>& args = {}) const;
    bool has(const std::string& key) const;

  private:
    std::string language_;
};

}  // namespace avtaleflyt::engine
