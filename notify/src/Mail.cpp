#include "avtaleflyt/notify/Mail.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>
#include <vector>

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::notify {
namespace {

// The longest header line written (RFC 5322 allows 998 octets and asks for 78), and the
// longest line of encoded words (RFC 2047).
constexpr std::size_t kFoldAt = 78;
constexpr std::size_t kMaxLine = 998;
constexpr std::size_t kEncodedLine = 76;

bool plainAscii(const std::string& s) {
    for (const unsigned char c : s)
        if (c < 32 || c > 126)
            return false;
    // Text that looks like an encoded word would be decoded by the reader: encode it.
    return s.find("=?") == std::string::npos;
}

// Text for a header: every control character (C0 such as NUL, CR, LF, ESC; DEL; C1) a space, so
// that nothing in a name or subject can end the header line or start another one. The roster
// import refuses such characters; this holds for every other source too (an agreement's party).
std::string headerText(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) {
            out += ' ';
        } else if (c == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) < 0xA0) {
            out += ' ';
            ++i;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// An address as it goes between angle brackets: printable ASCII without spaces or brackets.
// The roster and every form check addresses; anything else here is a bug, never a header.
const std::string& checkedAddress(const std::string& address) {
    bool ok = !address.empty();
    for (const unsigned char c : address) ok = ok && c > 32 && c < 127 && c != '<' && c != '>';
    if (!ok)
        throw std::invalid_argument("not an e-mail address for a mail header: \"" +
                                    headerText(address) + "\"");
    return address;
}

// The length of the last line of `header` (after its last CRLF).
std::size_t lastLine(const std::string& header) {
    const auto crlf = header.rfind("\r\n");
    return crlf == std::string::npos ? header.size() : header.size() - crlf - 2;
}

// `text` as RFC 2047 encoded words (base64 of UTF-8), folded so that each line is at most 76
// characters: the first after `used` characters already on its line, the others after the space
// that folds them. Each word holds whole UTF-8 characters.
std::string encodedWords(const std::string& text, std::size_t used) {
    std::string out;
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t room =
            start == 0 ? std::max<std::size_t>(used < kEncodedLine ? kEncodedLine - used : 0, 20)
                       : kEncodedLine - 1;
        const std::size_t most = std::min(text.size(), start + (room - 12) / 4 * 3);
        std::size_t end = most;
        while (end < text.size() && end > start &&
               (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        if (end == start)  // not UTF-8: cut where it fits
            end = most;
        if (start > 0)
            out += "\r\n ";
        out += "=?UTF-8?B?" + text::base64(text.substr(start, end - start)) + "?=";
        start = end;
    }
    return out;
}

// "Name: value" with an unstructured value (a subject), folded, without the final CRLF. Plain
// ASCII is folded between words onto lines of at most 78 characters (a longer word on a line of
// its own); text that is not plain ASCII, or with a word too long for a line of 998 octets,
// goes as encoded words on lines of at most 76 characters.
std::string unstructured(const std::string& name, const std::string& value) {
    const std::string text = headerText(value);
    std::string out = name + ":";
    if (plainAscii(text)) {
        std::vector<std::string> words;
        std::size_t start = 0;
        for (;;) {
            const auto space = text.find(' ', start);
            words.push_back(text.substr(start, space == std::string::npos ? space : space - start));
            if (space == std::string::npos)
                break;
            start = space + 1;
        }
        bool fits = true;
        for (const auto& w : words) fits = fits && out.size() + 1 + w.size() <= kMaxLine;
        if (fits) {
            bool first = true;
            for (const auto& w : words) {
                // Fold only before a word (a line of nothing but spaces is not allowed).
                if (!first && !w.empty() && lastLine(out) + 1 + w.size() > kFoldAt)
                    out += "\r\n";
                out += " " + w;
                first = false;
            }
            return out;
        }
    }
    return out + " " + encodedWords(text, out.size() + 1);
}

// "Name: display <address>", folded, without the final CRLF: the display name quoted if it is
// plain ASCII and fits on the line, else as encoded words; the address on a line of its own
// when it does not fit behind the name.
std::string addressHeader(const std::string& header, const std::string& name,
                          const std::string& address) {
    const std::string angle = "<" + checkedAddress(address) + ">";
    std::string out = header + ":";
    const std::string display = headerText(name);
    bool encoded = false;
    if (!display.empty()) {
        std::string quoted = "\"";
        for (const char c : display) {
            if (c == '"' || c == '\\')
                quoted += '\\';
            quoted += c;
        }
        quoted += "\"";
        encoded = !plainAscii(display) || out.size() + 1 + quoted.size() > kFoldAt;
        out += " " + (encoded ? encodedWords(display, out.size() + 1) : quoted);
    }
    if (!display.empty() && lastLine(out) + 1 + angle.size() > (encoded ? kEncodedLine : kFoldAt))
        out += "\r\n";
    return out + " " + angle;
}

// A boundary that cannot occur in quoted-printable or base64 text (it holds "=_").
std::string boundary(const Mail& mail, const char* part) {
    std::string tag;
    for (const char c : mail.messageId)
        if (std::isalnum(static_cast<unsigned char>(c)))
            tag += c;
    return std::string("=_") + part + "_" + tag.substr(0, 40);
}

}  // namespace

std::string rfc5322Date(Timestamp t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::string encodeHeaderWord(const std::string& text) {
    return plainAscii(text) ? text : encodedWords(text, 0);
}

std::string quotedPrintable(const std::string& text) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out, line;
    out.reserve(text.size() + text.size() / 8);
    const auto flush = [&](bool soft) {
        out += line;
        out += soft ? "=\r\n" : "\r\n";
        line.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\r')
            continue;
        if (c == '\n') {
            if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
                const char last = line.back();
                line.pop_back();
                line += '=';
                line += hex[static_cast<unsigned char>(last) >> 4];
                line += hex[static_cast<unsigned char>(last) & 15];
            }
            flush(false);
            continue;
        }
        const bool plain = (c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t';
        const char escaped[] = {'=', hex[c >> 4], hex[c & 15]};
        const std::size_t size = plain ? 1 : 3;
        if (line.size() + size > 75)
            flush(true);
        if (plain)
            line += static_cast<char>(c);
        else
            line.append(escaped, 3);
    }
    if (!line.empty())
        out += line + "\r\n";
    return out;
}

std::string base64Lines(const std::string& bytes) {
    const std::string encoded = text::base64(bytes);
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
    return out;
}

std::string toMime(const Mail& mail) {
    std::string m;
    m += "Message-ID: <" + checkedAddress(mail.messageId) + ">\r\n";
    m += "Date: " + rfc5322Date(mail.date) + "\r\n";
    m += addressHeader("From", mail.fromName, mail.fromAddress) + "\r\n";
    m += addressHeader("To", mail.toName, mail.toAddress) + "\r\n";
    if (!mail.replyTo.empty())
        m += addressHeader("Reply-To", "", mail.replyTo) + "\r\n";
    m += unstructured("Subject", mail.subject) + "\r\n";
    m += "MIME-Version: 1.0\r\n";
    m += "Auto-Submitted: auto-generated\r\n";

    const auto textPart = [](const std::string& type, const std::string& body) {
        return "Content-Type: " + type +
               "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
               quotedPrintable(body);
    };
    std::string body;
    if (mail.html.empty()) {
        body = textPart("text/plain", mail.text);
    } else {
        const std::string b = boundary(mail, "alt");
        body = "Content-Type: multipart/alternative; boundary=\"" + b + "\"\r\n\r\n--" + b +
               "\r\n" + textPart("text/plain", mail.text) + "--" + b + "\r\n" +
               textPart("text/html", mail.html) + "--" + b + "--\r\n";
    }
    if (mail.attachments.empty())
        return m + body;
    const std::string b = boundary(mail, "mixed");
    m += "Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n--" + b + "\r\n" + body;
    for (const auto& a : mail.attachments)
        m += "--" + b + "\r\nContent-Type: " + a.contentType + "; name=\"" + a.fileName +
             "\"\r\nContent-Disposition: attachment; filename=\"" + a.fileName +
             "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64Lines(a.bytes);
    return m + "--" + b + "--\r\n";
}

}  // namespace avtaleflyt::notify
