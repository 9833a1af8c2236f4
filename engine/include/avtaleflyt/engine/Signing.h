#pragma once
// Signing through a link from a mail: what the link shows, the document it was sent with, and
// signing or declining. The signer is who the link was made for; the audit log names them.
// Owns the signing tokens (stored as hashes) and the signatures' evidence.

#include <memory>
#include <optional>
#include <string>

#include "avtaleflyt/domain/Template.h"
#include "avtaleflyt/engine/Basics.h"

namespace avtaleflyt::engine {

class Core;  // engine-private: what the services share (engine/src/Core.h)

// A signing link as its holder sees it.
struct SigningView {
    enum class Status { Open, Used, Expired, Closed, Unknown };
    Status status = Status::Unknown;
    std::string reference, title, network, state;
    std::string signerName, signerRole;  // role as stored: nurse, leader, party
    std::string organisation;            // agreements: the party
    std::string deadline;                // YYYY-MM-DD, or empty
    std::string signedAt;                // when a used link was used to sign
    int caseVersion = 0;  // what the view shows changes only when the case's version does
    // The text, for the readable rendition (Open, and asked for; else null). Shared: the same
    // for every visit while the case is unchanged.
    std::shared_ptr<const FilledDocument> document;
};

// The outcome of signing or declining through a link.
struct LinkOutcome {
    SigningView::Status status = SigningView::Status::Unknown;  // Open: it was done
    std::string refusal;  // when status is Open but the step was refused (e.g. no reason)
    std::string caseState;
};

// A link works once, until the case's deadline. `ip` and `userAgent` are kept as evidence in the
// database, never in a PDF.
class Signing {
  public:
    explicit Signing(Core& core) : core_(core) {}

    // `withDocument`: fill in the document's text (for showing it; not needed to act).
    SigningView view(const std::string& token, bool withDocument = true) const;
    std::optional<std::string> document(const std::string& token) const;  // the PDF sent
    LinkOutcome sign(const std::string& token, const std::string& ip,
                     const std::string& userAgent) const;
    LinkOutcome decline(const std::string& token, const std::string& reason,
                        const std::string& ip, const std::string& userAgent) const;

  private:
    Core& core_;
};

}  // namespace avtaleflyt::engine
