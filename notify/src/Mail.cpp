#include "avtaleflyt/notify/Mail.h"

#include <ctime>

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::notify {
namespace {

bool plainAscii(const std::string& s) {
    for (const unsigned char c : s)
        if (c < 32 || c > 126)
            return false;
    return true;
}

std::string address(const std::string& name, const std::string& addr) {
    if (name.empty())
        return "<" + addr + ">";
    std::string shown = encodeHeaderWord(name);
    if (shown == name) {  // ASCII: quote it
        std::string quoted = "\"";
        for (const char c : name) {
            if (c == '"' || c == '\\')
                quoted += '\\';
            quoted += c;
        }
        shown = quoted + "\"";
    }
    return shown + " <" + addr + ">";
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
    if (plainAscii(text))
        return text;
    // Encoded words of at most 75 characters, split between UTF-8 characters.
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = std::min(text.size(), start + 45);
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
        if (!out.empty())
            out += "\r\n ";
        out += "=?UTF-8?B?" + text::base64(text.substr(start, end - start)) + "?=";
        start = end;
    }
    return out;
}

std::string quotedPrintable(const std::string& text) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out, line;
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
        std::string piece;
        if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t')
            piece = static_cast<char>(c);
        else
            piece = {'=', hex[c >> 4], hex[c & 15]};
        if (line.size() + piece.size() > 75)
            flush(true);
        line += piece;
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
    m += "Message-ID: <" + mail.messageId + ">\r\n";
    m += "Date: " + rfc5322Date(mail.date) + "\r\n";
    m += "From: " + address(mail.fromName, mail.fromAddress) + "\r\n";
    m += "To: " + address(mail.toName, mail.toAddress) + "\r\n";
    if (!mail.replyTo.empty())
        m += "Reply-To: <" + mail.replyTo + ">\r\n";
    m += "Subject: " + encodeHeaderWord(mail.subject) + "\r\n";
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
