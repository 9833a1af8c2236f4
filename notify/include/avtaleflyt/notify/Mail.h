#pragma once
// A mail message and its MIME form (RFC 5322/2045): UTF-8 text and HTML alternatives, quoted-
// printable so that an .eml file stays readable, attachments in base64, non-ASCII headers as
// RFC 2047 encoded words. The same Mail gives the same bytes.

#include <string>
#include <vector>

#include "avtaleflyt/domain/Clock.h"

namespace avtaleflyt::notify {

struct Attachment {
    std::string fileName;     // ASCII, no path
    std::string contentType;  // "application/pdf"
    std::string bytes;
};

struct Mail {
    std::string messageId;  // "unique@host", without angle brackets; the same on every attempt
    std::string fromAddress, fromName;
    std::string toAddress, toName;
    std::string replyTo;  // empty: none
    std::string subject;
    std::string text;  // plain text, UTF-8
    std::string html;  // an HTML alternative, UTF-8; empty: text only
    Timestamp date;
    std::vector<Attachment> attachments;
};

// The message as sent: CRLF line endings, lines of at most 78 characters in the bodies. Headers
// are folded: plain ASCII between words at 78 characters, anything else (or a word that would
// make a line longer than 998 octets) as RFC 2047 encoded words on lines of at most 76. A control
// character in a name or the subject (CR, LF, NUL, ESC, ...) becomes a space, so that no text
// can end a header line or add one; an address that is not printable ASCII without spaces and
// angle brackets throws std::invalid_argument.
std::string toMime(const Mail& mail);

// "Tue, 24 Nov 2026 19:40:00 +0000"
std::string rfc5322Date(Timestamp t);
// `text` as RFC 2047 encoded words (folded, CRLF and a space between them) if it is not plain
// printable ASCII.
std::string encodeHeaderWord(const std::string& text);
std::string quotedPrintable(const std::string& text);
std::string base64Lines(const std::string& bytes);  // 76 characters a line, CRLF

}  // namespace avtaleflyt::notify
