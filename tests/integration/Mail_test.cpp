// Mail and signing links on a real database: the outbox written with the step, delivery into a
// real maildir and to a real SMTP server (aiosmtpd), retries, and signing through the links,
// in the engine and over HTTP in the portal.
#include <Poco/Base64Decoder.h>
#include <Poco/File.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <openssl/evp.h>

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "Portal.h"
#include "Template.h"
#include "TestSupport.h"
#include "Tester.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/PosixEnv.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/engine/Installation.h"
#include "avtaleflyt/notify/Mail.h"

using namespace avtaleflyt;
using namespace avtaleflyt::engine;
using test::kTester;
using namespace std::chrono_literals;

namespace {

using Rows = std::vector<std::vector<std::string>>;
const std::string kNetwork = "Nettverk Test";

const Rows kRoster = {
    {"Navn", "E-post", "Område", "Arbeidssted", "Leder", "Leders e-post", "Status", "Rolle"},
    {"Nora Nett", "nora@nettverk.example", "Follo", "", "", "", "", "nettverksleder"},
    {"Åse Bø", "ase@frogn.example", "Follo", "Tunet", "Tor Li", "tor@frogn.example", "aktiv", ""},
    {"Kari <script>alert(1)</script> Berg", "kari@frogn.example", "Follo", "Tunet", "Tor Li",
     "tor@frogn.example", "aktiv", ""},
};

std::string sha256Hex(const std::string& s) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(s.data(), s.size(), d, &n, EVP_sha256(), nullptr);
    std::string out;
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; ++i) out += {digits[d[i] >> 4], digits[d[i] & 15]};
    return out;
}

// The signing link's token in a message.
std::string tokenIn(const std::string& mime) {
    const std::string token = test::signingTokenIn(mime);
    REQUIRE(token.size() == 43);
    return token;
}

// A transport that is down for the first `failures` messages, then delivers into a list.
struct FlakyTransport final : notify::Transport {
    int failures = 0;
    std::vector<std::string> delivered;
    std::string deliver(const std::string&, const std::string&, const std::string& id,
                        const std::string& mime) override {
        if (failures > 0) {
            --failures;
            throw notify::TransportError("test server down");
        }
        delivered.push_back(mime);
        return "250 accepted " + id;
    }
    std::string describe() const override { return "flaky"; }
};

struct MailFixture {
    test::TempDir dir;
    FixedClock clock{*parseTimestamp("2026-11-02T09:00:00Z")};
    std::string data = dir.file("data");
    std::string database = test::newDatabase();
    Settings settings;

    MailFixture() {
        settings.databaseUrl = database;
        Installation::init(data, clock, kTester, database);
        open().rosters().addNetwork(kTester, kNetwork, {"Follo"});
        test::writeFile(dir.file("liste.csv"), documents::formatCsv(kRoster));
        open().rosters().importRoster(kTester, dir.file("liste.csv"), kNetwork, false);
    }
    Installation open() { return Installation(data, clock, settings); }
    std::string db() const { return test::databaseOf(data, database); }
    std::string sql(const std::string& q) const { return test::querySql(db(), q); }
    std::vector<std::string> maildir() const {
        std::vector<std::string> names, out;
        Poco::File(data + "/mail/new").list(names);
        std::sort(names.begin(), names.end());
        for (const auto& n : names) out.push_back(test::readFile(data + "/mail/new/" + n));
        return out;
    }
    // The messages delivered to `email`, through the maildir (the To header unfolded).
    std::vector<std::string> mailTo(const std::string& email) const {
        std::vector<std::string> out;
        for (const auto& m : maildir()) {
            const auto to = m.find("\r\nTo: ");
            auto end = m.find("\r\n", to + 2);
            while (end != std::string::npos && (m[end + 2] == ' ' || m[end + 2] == '\t'))
                end = m.find("\r\n", end + 2);
            if (m.substr(to, end - to).find("<" + email + ">") != std::string::npos)
                out.push_back(m);
        }
        return out;
    }
    // Sends the function descriptions and delivers the mail; the token of `email`'s link.
    std::string sendAndGetToken(const std::string& email) {
        open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
        open().outbox().deliver(kTester);
        const auto mails = mailTo(email);
        REQUIRE(mails.size() == 1);
        return tokenIn(mails.front());
    }
};

}  // namespace

TEST_CASE("sending writes one mail per signer with a personal link, delivered to the maildir "
          "once",
          "[mail]") {
    MailFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    CHECK(f.open().outbox().list("queued").size() == 4);  // two nurses and their leader, twice
    const auto first = f.open().outbox().deliver(kTester);
    CHECK(first.sent.size() == 4);
    CHECK(first.failed.empty());
    CHECK(f.maildir().size() == 4);
    const auto second = f.open().outbox().deliver(kTester);
    CHECK(second.sent.empty());
    CHECK(f.maildir().size() == 4);
    CHECK(f.open().outbox().list("sent").size() == 4);

    const auto mails = f.mailTo("ase@frogn.example");
    REQUIRE(mails.size() == 1);
    const std::string text = test::quotedPrintableDecoded(mails.front());
    CHECK(text.find("Hei Åse Bø!") != std::string::npos);
    CHECK(text.find("Frist: 01.01.2027.") != std::string::npos);
    CHECK(text.find("som ressurssykepleier") != std::string::npos);
    CHECK(text.find("Kontakt Nora Nett (nora@nettverk.example)") != std::string::npos);
    CHECK(mails.front().find("Subject: =?UTF-8?B?") != std::string::npos);
    CHECK(mails.front().find("Content-Type: text/html; charset=UTF-8") != std::string::npos);
    // The HTML part escapes what the roster says.
    const std::string kari = test::quotedPrintableDecoded(f.mailTo("kari@frogn.example").front());
    CHECK(kari.find("<p>Hei Kari &lt;script&gt;alert(1)&lt;/script&gt; Berg!</p>") !=
          std::string::npos);

    // The token itself is nowhere in the database; its SHA-256 is.
    const std::string token = tokenIn(mails.front());
    CHECK(f.sql("SELECT count(*) FROM signing_token WHERE token_sha256 = '" + token + "'") == "0");
    CHECK(f.sql("SELECT count(*) FROM signing_token WHERE token_sha256 = '" + sha256Hex(token) +
                "'") == "1");
    CHECK(f.sql("SELECT count(*) FROM audit_event WHERE kind = 'mail.sent'") == "4");
}

TEST_CASE("a failed delivery stays queued with its error, is retried after the backoff, and "
          "arrives once",
          "[mail]") {
    MailFixture f;
    FlakyTransport transport;
    transport.failures = 4;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    {
        Installation i = f.open();
        i.setTransport(&transport);
        const auto report = i.outbox().deliver(kTester);
        CHECK(report.sent.empty());
        REQUIRE(report.failed.size() == 4);
        CHECK(report.failed.front().find("test server down; next attempt at 2026-11-02T09:01:00Z") !=
              std::string::npos);
        const auto queued = i.outbox().list("queued");
        REQUIRE(queued.size() == 4);
        CHECK(queued.front().lastError == "test server down");
        CHECK(queued.front().attempts == 1);
        // Not due again before the backoff.
        CHECK(i.outbox().deliver(kTester).sent.empty());
        f.clock.advance(61s);
        CHECK(i.outbox().deliver(kTester).sent.size() == 4);
        CHECK(i.outbox().deliver(kTester).sent.empty());
    }
    CHECK(transport.delivered.size() == 4);
    std::set<std::string> ids;
    for (const auto& m : transport.delivered)
        ids.insert(m.substr(0, m.find("\r\n")));  // the Message-ID line
    CHECK(ids.size() == 4);
}

TEST_CASE("SMTP: with the server down the mail stays queued, once it is up each message "
          "arrives exactly once",
          "[mail][smtp]") {
    MailFixture f;
    const unsigned port = test::freePort();
    f.settings.mailTransport = "smtp";
    f.settings.smtp.port = port;
    f.settings.smtp.timeoutSeconds = 5;
    f.settings.mailFrom = "nettverket@example.org";
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);

    const auto down = f.open().outbox().deliver(kTester);
    CHECK(down.sent.empty());
    REQUIRE(down.failed.size() == 4);
    CHECK(down.failed.front().find("smtp://127.0.0.1:" + std::to_string(port)) != std::string::npos);

    test::SmtpServer server(port, f.dir.file("smtp-mailbox"));
    server.start();
    f.clock.advance(61s);
    const auto up = f.open().outbox().deliver(kTester);
    CHECK(up.failed.empty());
    CHECK(up.sent.size() == 4);
    CHECK(f.open().outbox().deliver(kTester).sent.empty());
    const auto received = server.messages();
    REQUIRE(received.size() == 4);
    std::set<std::string> ids;
    for (const auto& m : received) {
        std::smatch id;
        REQUIRE(std::regex_search(m, id, std::regex("Message-ID: <([^>]+)>")));
        ids.insert(id[1]);
        CHECK(m.find("From: ") != std::string::npos);
        tokenIn(m);  // every one carries its link, intact through SMTP
    }
    CHECK(ids.size() == 4);
    for (const auto& sent : f.open().outbox().list("sent")) CHECK(sent.serverAnswer.rfind("250", 0) == 0);
}

namespace {

// The header section of a MIME message, as its lines.
std::vector<std::string> headerLines(const std::string& mime) {
    std::vector<std::string> lines;
    const std::string head = mime.substr(0, mime.find("\r\n\r\n"));
    std::size_t start = 0;
    for (;;) {
        const auto end = head.find("\r\n", start);
        lines.push_back(head.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos)
            return lines;
        start = end + 2;
    }
}

// Header `name`'s value as a reader gets it: unfolded (RFC 5322), encoded words decoded (RFC
// 2047: the space between two of them dropped).
std::string headerValue(const std::string& mime, const std::string& name) {
    std::string value;
    bool in = false;
    for (const auto& line : headerLines(mime)) {
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
            if (in)
                value += line;
            continue;
        }
        in = line.rfind(name + ": ", 0) == 0;
        if (in)
            value = line.substr(name.size() + 2);
    }
    std::string out;
    bool lastEncoded = false;
    for (std::size_t i = 0; i < value.size();) {
        const auto open = value.find("=?UTF-8?B?", i);
        const auto close = open == std::string::npos ? open : value.find("?=", open + 10);
        const std::string between =
            value.substr(i, (close == std::string::npos ? value.size() : open) - i);
        if (close == std::string::npos) {
            out += between;
            break;
        }
        if (!(lastEncoded && text::trim(between).empty()))
            out += between;
        std::istringstream b64(value.substr(open + 10, close - open - 10));
        Poco::Base64Decoder decoder(b64);
        std::string decoded((std::istreambuf_iterator<char>(decoder)),
                            std::istreambuf_iterator<char>());
        out += decoded;
        lastEncoded = true;
        i = close + 2;
    }
    return out;
}

notify::Mail mailWith(const std::string& toName, const std::string& subject) {
    notify::Mail mail;
    mail.messageId = "FB-2026-0001.sign.0123456789ab@avtaleflyt";
    mail.fromAddress = "avtaleflyt@nettverk.example";
    mail.fromName = kNetwork;
    mail.toAddress = "eva@frogn.example";
    mail.toName = toName;
    mail.replyTo = "nora@nettverk.example";
    mail.subject = subject;
    mail.text = "Hei";
    mail.date = *parseTimestamp("2026-11-02T09:00:00Z");
    return mail;
}

}  // namespace

TEST_CASE(
    "mail headers are folded: a long subject or recipient name gives no line over 998 "
    "octets (RFC 5322), encoded words on lines of at most 76 characters, and the reader "
    "gets back what was written",
    "[mail]") {
    std::string words, norwegian;
    for (int i = 0; i < 300; ++i) words += (i ? " " : "") + std::string("ord") + std::to_string(i);
    for (int i = 0; i < 200; ++i) norwegian += "Æøå blåbærsyltetøy ";
    const std::string oneWord(1500, 'x');  // no space to fold at: encoded words
    const std::string longName = "Kari " + std::string(990, 'B') + " Nordmann";  // 1,000 characters
    for (const auto& [name, subject] :
         std::vector<std::pair<std::string, std::string>>{{"Eva Ås", "Til signering: kort"},
                                                          {longName, words},
                                                          {norwegian, norwegian},
                                                          {"Ola \"Sjefen\" Dahl", oneWord}}) {
        INFO(subject.substr(0, 30));
        const std::string mime = notify::toMime(mailWith(name, subject));
        for (const auto& line : headerLines(mime)) {
            INFO(line.substr(0, 60));
            CHECK(line.size() <= 998);
            if (line.find("=?UTF-8?B?") != std::string::npos)
                CHECK(line.size() <= 76);
            else
                CHECK((line.size() <= 78 || line.find(' ', 1) == std::string::npos));
        }
        CHECK(headerValue(mime, "Subject") == subject);
        const std::string to = headerValue(mime, "To");
        CHECK(to.size() > 20);
        CHECK(to.substr(to.size() - 20) == " <eva@frogn.example>");
        const std::string shown = to.substr(0, to.size() - 20);
        std::string quoted = name;  // as quoted: "..." with \" and \\ escaped
        for (std::size_t at = 0; (at = quoted.find('"', at)) != std::string::npos; at += 2)
            quoted.insert(at, "\\");
        CHECK((shown == name || shown == "\"" + quoted + "\""));
    }
    // A short plain subject and name stay on one line each, as before.
    const std::string plain =
        notify::toMime(mailWith("Tor Li", "Til signering: Funksjonsbeskrivelse"));
    CHECK(plain.find("\r\nTo: \"Tor Li\" <eva@frogn.example>\r\n") != std::string::npos);
    CHECK(plain.find("\r\nSubject: Til signering: Funksjonsbeskrivelse\r\n") != std::string::npos);
}

TEST_CASE(
    "a roster name of 1,000 characters reaches the mail without a header line over 998 "
    "octets (the To line was 1,030)",
    "[mail]") {
    MailFixture f;
    Rows roster = kRoster;
    roster[2][0] = "Åse " + std::string(992, 'B') + " Bø";
    test::writeFile(f.dir.file("liste.csv"), documents::formatCsv(roster));
    REQUIRE(
        f.open().rosters().importRoster(kTester, f.dir.file("liste.csv"), kNetwork, false).applied);
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    f.open().outbox().deliver(kTester);
    const auto mails = f.mailTo("ase@frogn.example");
    REQUIRE(mails.size() == 1);
    for (const auto& line : headerLines(mails.front())) CHECK(line.size() <= 998);
    CHECK(headerValue(mails.front(), "To") == roster[2][0] + " <ase@frogn.example>");
    tokenIn(mails.front());  // the link is in it
}

TEST_CASE(
    "header injection: a name with CR/LF is refused at import naming file, line and "
    "field, and a name or subject with CR/LF, NUL or ESC from elsewhere cannot add a "
    "header line",
    "[mail]") {
    MailFixture f;
    Rows roster = kRoster;
    roster[2][0] = "Åse\r\nBcc: angriper@evil.example";
    roster[3][3] = "Tunet\x1b[31m";
    test::writeFile(f.dir.file("injisert.csv"), documents::formatCsv(roster));
    const auto refused =
        f.open().rosters().importRoster(kTester, f.dir.file("injisert.csv"), kNetwork, false);
    CHECK_FALSE(refused.applied);
    REQUIRE(refused.problems.size() == 2);
    CHECK(refused.problems[0].toString() ==
          f.dir.file("injisert.csv") + ":3: Navn: contains a line break (character 4)");
    CHECK(refused.problems[1].toString() ==
          f.dir.file("injisert.csv") +
              ":5: Arbeidssted: contains the control character U+001B (character 6)");

    for (const std::string& evil : std::vector<std::string>{
             "Eva\r\nBcc: angriper@evil.example", "Eva\nBcc: angriper@evil.example",
             "Eva\rBcc: angriper@evil.example", std::string("Eva\0\x1b[2J\r\n\r\nBcc: x", 18)}) {
        const std::string mime =
            notify::toMime(mailWith(evil, "Hei\r\nBcc: angriper@evil.example"));
        const auto lines = headerLines(mime);
        std::vector<std::string> names;
        for (const auto& line : lines) {
            CHECK(line.find('\r') == std::string::npos);
            CHECK(line.find('\n') == std::string::npos);
            CHECK(line.find('\0') == std::string::npos);
            CHECK(line.find('\x1b') == std::string::npos);
            if (!line.empty() && line[0] != ' ' && line[0] != '\t')
                names.push_back(line.substr(0, line.find(':')));
        }
        CHECK(names == std::vector<std::string>{"Message-ID", "Date", "From", "To", "Reply-To",
                                                "Subject", "MIME-Version", "Auto-Submitted",
                                                "Content-Type", "Content-Transfer-Encoding"});
        CHECK(headerValue(mime, "Subject") == "Hei  Bcc: angriper@evil.example");
    }
    // An address cannot carry a header either: no mail is written with it.
    notify::Mail bad = mailWith("Eva", "Hei");
    bad.toAddress = "eva@frogn.example>\r\nBcc: <angriper@evil.example";
    CHECK_THROWS_AS(notify::toMime(bad), std::invalid_argument);
}

TEST_CASE("a link signs once: then it is used, and the evidence stays out of the PDF", "[signing]") {
    MailFixture f;
    const std::string nurse = f.sendAndGetToken("ase@frogn.example");
    const auto view = f.open().signing().view(nurse);
    CHECK(view.status == SigningView::Status::Open);
    CHECK(view.signerName == "Åse Bø");
    CHECK(view.signerRole == "nurse");
    CHECK(view.deadline == "2027-01-01");
    REQUIRE(view.document);
    REQUIRE_FALSE(view.document->blocks.empty());
    // Dated the day it was sent (2 November), like the PDF, not the day the link is opened.
    f.clock.advance(24h * 3);
    CHECK(f.open().signing().view(nurse).document->blocks.front().text.find("sendt 2026-11-02") !=
          std::string::npos);
    CHECK(f.open().signing().document(nurse)->rfind("%PDF", 0) == 0);

    const auto signedOut = f.open().signing().sign(nurse, "203.0.113.7", "TestBrowser/1.0");
    CHECK(signedOut.status == SigningView::Status::Open);
    CHECK(signedOut.refusal.empty());
    CHECK(signedOut.caseState == "partially_signed");
    CHECK(f.open().signing().view(nurse).status == SigningView::Status::Used);
    CHECK(f.open().signing().sign(nurse, "203.0.113.7", "x").status == SigningView::Status::Used);
    CHECK_FALSE(f.open().signing().document(nurse));
    CHECK(f.sql("SELECT ip_address || ' ' || user_agent FROM signature_evidence") ==
          "203.0.113.7 TestBrowser/1.0");

    // The leader signs last: the final sealed PDF goes to both, without e-mail or IP inside.
    const auto leaderMail = f.mailTo("tor@frogn.example");
    std::string leaderToken;
    for (const auto& m : leaderMail)
        if (test::quotedPrintableDecoded(m).find("Åse Bø") != std::string::npos)
            leaderToken = tokenIn(m);
    REQUIRE_FALSE(leaderToken.empty());
    CHECK(f.open().signing().sign(leaderToken, "198.51.100.1", "x").caseState == "signed");
    f.open().outbox().deliver(kTester);
    const auto completed = f.mailTo("ase@frogn.example");
    REQUIRE(completed.size() == 2);
    const auto withPdf = std::count_if(completed.begin(), completed.end(), [](const auto& m) {
        return m.find("Content-Type: application/pdf; name=\"FB-2026-") != std::string::npos;
    });
    CHECK(withPdf == 1);
    const std::string reference = view.reference;
    const auto pdf = f.open().cases().finalDocument(reference);
    REQUIRE(pdf);
    const std::string pdfText = test::pdfText(*pdf);
    CHECK(pdfText.find("Åse Bø") != std::string::npos);
    CHECK(pdfText.find("203.0.113.7") == std::string::npos);
    CHECK(pdfText.find("@frogn.example") == std::string::npos);
}

TEST_CASE("a link expires with the case's deadline, a withdrawn case's links are closed and its "
          "signers told",
          "[signing]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    f.clock.advance(std::chrono::hours(24 * 61));
    CHECK(f.open().signing().view(token).status == SigningView::Status::Expired);
    CHECK(f.open().signing().sign(token, "127.0.0.1", "x").status == SigningView::Status::Expired);

    MailFixture g;
    const std::string other = g.sendAndGetToken("ase@frogn.example");
    const std::string reference = g.open().signing().view(other).reference;
    Trigger withdraw;
    withdraw.name = "withdraw";
    withdraw.reason = "Feil enhet";
    REQUIRE(g.open().cases().fire(kTester, reference, withdraw).done);
    CHECK(g.open().signing().view(other).status == SigningView::Status::Closed);
    g.open().outbox().deliver(kTester);
    const auto told = g.mailTo("ase@frogn.example");
    REQUIRE(told.size() == 2);
    CHECK(test::quotedPrintableDecoded(told.back()).find("Begrunnelse: Feil enhet") != std::string::npos);
}

TEST_CASE("declining by link needs a reason, declines the case and tells the network leader",
          "[signing]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    const auto empty = f.open().signing().decline(token, "", "127.0.0.1", "x");
    CHECK_FALSE(empty.refusal.empty());
    CHECK(f.open().signing().view(token).status == SigningView::Status::Open);
    const auto out = f.open().signing().decline(token, "Jeg har sluttet", "127.0.0.1", "x");
    CHECK(out.refusal.empty());
    CHECK(out.caseState == "declined");
    f.open().outbox().deliver(kTester);
    const auto toLeader = f.mailTo("nora@nettverk.example");
    REQUIRE(toLeader.size() == 1);
    CHECK(test::quotedPrintableDecoded(toLeader.front()).find("Begrunnelse: Jeg har sluttet") != std::string::npos);
}

namespace {

struct Http {
    int status = 0;
    std::string reason;
    std::string body;
    Poco::Net::NameValueCollection headers;
};

Http request(unsigned port, const std::string& method, const std::string& path,
             const std::string& form = "",
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!form.empty() || method == "POST") {
        req.setContentType("application/x-www-form-urlencoded");
        req.setContentLength(static_cast<std::streamsize>(form.size()));
    }
    session.sendRequest(req) << form;
    Poco::Net::HTTPResponse res;
    Http out;
    Poco::StreamCopier::copyToString(session.receiveResponse(res), out.body);
    out.status = res.getStatus();
    out.reason = res.getReason();
    for (const auto& [k, v] : res) out.headers.add(k, v);
    return out;
}

// The portal served in this process on a free port, over an installation of the fixture.
struct ServedPortal {
    Installation installation;
    portal::Portal server;
    ServedPortal(MailFixture& f, portal::PortalSettings settings)
        : installation(f.open()), server(installation, anyPort(settings)) {
        server.start();
    }
    unsigned port() const { return server.port(); }
    static portal::PortalSettings anyPort(portal::PortalSettings s) {
        s.port = 0;
        return s;
    }
};

std::string csrfIn(const std::string& page) {
    std::smatch m;
    REQUIRE(std::regex_search(page, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
    return m[1];
}

// A sign-in form as a browser gets it from GET /app/login: the cookie it sets, the token it
// carries.
struct SignInForm {
    std::string cookie, csrf;
};

SignInForm signInForm(unsigned port) {
    const Http page = request(port, "GET", "/app/login");
    REQUIRE(page.status == 200);
    const std::string setCookie = page.headers.get("Set-Cookie", "");
    std::smatch m;
    REQUIRE(
        std::regex_search(setCookie, m, std::regex("^(avtaleflyt_signin=[0-9]+\\.[0-9a-f]{32});")));
    return {m[1], csrfIn(page.body)};
}

// Signs in through a fresh sign-in form, as a browser does.
Http signIn(unsigned port, const std::string& user, const std::string& password) {
    const SignInForm form = signInForm(port);
    return request(port, "POST", "/app/login",
                   "username=" + user + "&password=" + password + "&csrf=" + form.csrf,
                   {{"Cookie", form.cookie}});
}

// The session cookie an answer sets, or "".
std::string sessionCookie(const Http& answer) {
    for (const auto& [name, value] : answer.headers)
        if (name == "Set-Cookie" && value.rfind("avtaleflyt_session=", 0) == 0)
            return value.substr(0, value.find(';'));
    return "";
}

}  // namespace

TEST_CASE("the portal: the page, CSRF, confirmation, signing once, forged links, escaping and "
          "security headers",
          "[portal]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("kari@frogn.example");
    ServedPortal served(f, {});
    const unsigned port = served.port();

    const Http page = request(port, "GET", "/s/" + token);
    CHECK(page.status == 200);
    CHECK(page.body.find("Kari &lt;script&gt;alert(1)&lt;/script&gt; Berg") != std::string::npos);
    CHECK(page.body.find("<script>") == std::string::npos);
        CHECK(page.body.find("Jeg har lest og signerer") != std::string::npos);
    CHECK(page.body.find("Frist for signering: 01.01.2027") != std::string::npos);
    CHECK(page.headers.get("Content-Security-Policy").find("frame-ancestors 'none'") !=
          std::string::npos);
    CHECK(page.headers.get("X-Frame-Options") == "DENY");
    CHECK(page.headers.get("Referrer-Policy") == "no-referrer");
    const std::string csrf = csrfIn(page.body);

    CHECK(request(port, "GET", "/s/" + token + "/dokument.pdf").body.rfind("%PDF", 0) == 0);
    CHECK(request(port, "POST", "/s/" + token + "/sign", "confirm=yes").status == 403);
    CHECK(request(port, "POST", "/s/" + token + "/sign", "confirm=yes&csrf=" + std::string(64, 'a'))
              .status == 403);
    const Http unconfirmed = request(port, "POST", "/s/" + token + "/sign", "csrf=" + csrf);
    CHECK(unconfirmed.status == 400);
    CHECK(unconfirmed.body.find("Kryss av") != std::string::npos);
    CHECK(unconfirmed.body.find("<h2>1. Nettverkets formål</h2>") != std::string::npos);
    const Http signedPage =
        request(port, "POST", "/s/" + token + "/sign", "confirm=yes&csrf=" + csrf);
    CHECK(signedPage.status == 200);
    CHECK(signedPage.body.find("Takk, du har signert") != std::string::npos);
    const Http reused = request(port, "GET", "/s/" + token);
    CHECK(reused.status == 410);
    CHECK(reused.body.find("Lenken er allerede brukt") != std::string::npos);
    CHECK(request(port, "POST", "/s/" + token + "/sign", "confirm=yes&csrf=" + csrf).status == 410);
    const Http forged = request(port, "GET", "/s/" + std::string(43, 'A'));
    CHECK(forged.status == 404);
    CHECK(forged.body.find("Lenken virker ikke") != std::string::npos);
    CHECK(request(port, "GET", "/s/<script>").status == 404);
    CHECK(request(port, "GET", "/").status == 200);
    CHECK(f.sql("SELECT ip_address FROM signature_evidence") == "127.0.0.1");
    served.server.stop();
}

TEST_CASE("a signing page opened before shows the new nearest leader once the roster changed "
          "her (the page is kept per case version, never served stale)",
          "[portal]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    ServedPortal served(f, {});
    const unsigned port = served.port();
    const Http before = request(port, "GET", "/s/" + token);
    REQUIRE(before.status == 200);
    CHECK(before.body.find("Tor Li") != std::string::npos);
    CHECK(request(port, "GET", "/s/" + token).body == before.body);  // kept: the same page

    Rows roster = kRoster;
    roster[2][4] = "Una Ny";
    roster[2][5] = "una@frogn.example";
    test::writeFile(f.dir.file("liste.csv"), documents::formatCsv(roster));
    f.open().rosters().importRoster(kTester, f.dir.file("liste.csv"), kNetwork, false);

    const Http after = request(port, "GET", "/s/" + token);
    CHECK(after.status == 200);
    CHECK(after.body.find("Una Ny") != std::string::npos);
    CHECK(after.body.find("Tor Li") == std::string::npos);
    served.server.stop();
}

TEST_CASE("the portal: declining needs a reason, too many unknown links from one address get 429",
          "[portal]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    portal::PortalSettings settings;
    settings.maxUnknownLinks = 3;
    ServedPortal served(f, settings);
    const unsigned port = served.port();
    const std::string csrf = csrfIn(request(port, "GET", "/s/" + token).body);
    CHECK(request(port, "POST", "/s/" + token + "/decline", "reason=+&csrf=" + csrf).status == 400);
    const Http declined =
        request(port, "POST", "/s/" + token + "/decline", "reason=Feil+leder&csrf=" + csrf);
    CHECK(declined.status == 200);
    CHECK(declined.body.find("Du har avslått") != std::string::npos);
    CHECK(f.sql("SELECT reason FROM signature_request WHERE status = 'declined'") == "Feil leder");

    for (int i = 0; i < 3; ++i)
        CHECK(request(port, "GET", "/s/" + std::string(42, 'B') + std::to_string(i)).status == 404);
    const Http blocked = request(port, "GET", "/s/" + std::string(42, 'B') + "3");
    CHECK(blocked.status == 429);
    CHECK(blocked.body.find("For mange forsøk") != std::string::npos);
    // The link itself, used now, still says so.
    CHECK(request(port, "GET", "/s/" + token).status == 410);
}

TEST_CASE(
    "nurses behind one address (a hospital's NAT) each open and sign their own link after "
    "that address has guessed links below and above the limit: every real link is "
    "answered, the guesses are still refused (429)",
    "[portal]") {
    MailFixture f;
    Rows roster = kRoster;
    const int nurses = 10;
    for (int i = 0; i < nurses; ++i)
        roster.push_back({"Sykepleier " + std::to_string(i),
                          "s" + std::to_string(i) + "@frogn.example", "Follo", "Tunet", "Tor Li",
                          "tor@frogn.example", "aktiv", ""});
    test::writeFile(f.dir.file("liste.csv"), documents::formatCsv(roster));
    f.open().rosters().importRoster(kTester, f.dir.file("liste.csv"), kNetwork, false);
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    f.open().outbox().deliver(kTester);
    std::vector<std::string> tokens;
    for (int i = 0; i < nurses; ++i) {
        const auto mails = f.mailTo("s" + std::to_string(i) + "@frogn.example");
        REQUIRE(mails.size() == 1);
        tokens.push_back(tokenIn(mails.front()));
    }
    portal::PortalSettings settings;
    settings.maxUnknownLinks = 3;
    ServedPortal served(f, settings);
    const unsigned port = served.port();
    int guesses = 0;
    const auto guess = [&] {
        return request(port, "GET", "/s/" + std::string(40, 'G') + std::to_string(100 + guesses++))
            .status;
    };
    // Each nurse opens her link, its document, and signs, all from 127.0.0.1.
    const auto signs = [&](const std::string& token) {
        INFO("link " << token.substr(0, 6));
        const Http page = request(port, "GET", "/s/" + token);
        CHECK(page.status == 200);
        CHECK(request(port, "GET", "/s/" + token + "/dokument.pdf").status == 200);
        const Http done =
            request(port, "POST", "/s/" + token + "/sign", "confirm=yes&csrf=" + csrfIn(page.body));
        CHECK(done.status == 200);
        CHECK(done.body.find("Takk, du har signert") != std::string::npos);
    };

    CHECK(guess() == 404);  // below the limit
    CHECK(guess() == 404);
    for (int i = 0; i < 3; ++i) signs(tokens[i]);
    CHECK(guess() == 404);                              // the third: the limit reached
    for (int i = 0; i < 4; ++i) CHECK(guess() == 429);  // above it
    for (int i = 3; i < nurses; ++i) {
        signs(tokens[i]);
        CHECK(guess() == 429);  // guessing in between is still refused
    }
    // A used link says it is used, not "too many attempts".
    const Http used = request(port, "GET", "/s/" + tokens[0]);
    CHECK(used.status == 410);
    CHECK(used.body.find("Lenken er allerede brukt") != std::string::npos);
    CHECK(f.sql("SELECT count(*) FROM signature_evidence") == std::to_string(nurses));
    CHECK(f.sql("SELECT count(*) FROM signature_evidence WHERE ip_address = '127.0.0.1'") ==
          std::to_string(nurses));
    served.server.stop();
}

TEST_CASE("SMTP with STARTTLS: refused in the clear, refused with an untrusted certificate, "
          "delivered with the server's CA",
          "[mail][smtp]") {
    MailFixture f;
    const std::string cert = f.dir.file("smtp-cert.pem"), key = f.dir.file("smtp-key.pem");
    REQUIRE(test::runTool("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
                          key + "' -out '" + cert + "'")
                .exitCode == 0);
    test::SmtpServer server(test::freePort(), f.dir.file("tls-mailbox"), cert, key);
    server.start();
    f.settings.mailTransport = "smtp";
    f.settings.smtp.port = server.port();
    f.settings.smtp.timeoutSeconds = 5;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);

    const auto clear = f.open().outbox().deliver(kTester);
    REQUIRE(clear.failed.size() == 4);
    CHECK(clear.failed.front().find("STARTTLS") != std::string::npos);

    f.settings.smtp.startTls = true;
    f.clock.advance(61s);
    const auto untrusted = f.open().outbox().deliver(kTester);
    CHECK(untrusted.sent.empty());
    CHECK(untrusted.failed.size() == 4);

    f.settings.smtp.caFile = cert;
    f.clock.advance(std::chrono::minutes(5));
    const auto trusted = f.open().outbox().deliver(kTester);
    CHECK(trusted.failed.empty());
    CHECK(trusted.sent.size() == 4);
    CHECK(server.messages().size() == 4);
}

TEST_CASE("a dispatcher killed between delivering and recording leaves the message to be "
          "delivered again under the same Message-ID: still one file in the maildir",
          "[mail]") {
    MailFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    // Delivers into the real maildir, then "dies" before the delivery is recorded.
    struct DiesAfterDelivery final : notify::Transport {
        notify::MaildirTransport maildir;
        explicit DiesAfterDelivery(std::string dir) : maildir(std::move(dir), documents::defaultEnv()) {}
        std::string deliver(const std::string& from, const std::string& to, const std::string& id,
                            const std::string& mime) override {
            maildir.deliver(from, to, id, mime);
            throw std::runtime_error("killed");
        }
        std::string describe() const override { return "dies"; }
    } dying(f.data + "/mail");
    {
        Installation i = f.open();
        i.setTransport(&dying);
        CHECK_THROWS_WITH(i.outbox().deliver(kTester), Catch::Contains("killed"));
    }
    CHECK(f.maildir().size() == 1);
    // Claimed: no other dispatcher touches it for ten minutes, then it goes again.
    CHECK(f.open().outbox().deliver(kTester).sent.size() == 3);
    f.clock.advance(std::chrono::minutes(11));
    CHECK(f.open().outbox().deliver(kTester).sent.size() == 1);
    CHECK(f.maildir().size() == 4);
    CHECK(f.open().outbox().list("queued").empty());
}

namespace {

// An SMTP server of one connection that accepts one message ("250 2.0.0 queued as 1") and then
// holds the client's QUIT unanswered until released, as a server or network that stalls after
// accepting would; it then closes without answering.
struct StallingSmtpServer {
    Poco::Net::ServerSocket listener{Poco::Net::SocketAddress("127.0.0.1", 0)};
    std::mutex mutex;
    std::condition_variable changed;
    bool quitting = false, released = false;
    std::string received;
    std::thread thread{[this] { serve(); }};

    unsigned port() const { return listener.address().port(); }
    ~StallingSmtpServer() {
        release();
        thread.join();
    }
    // Waits until the client has sent QUIT (true), or 10 s.
    bool waitForQuit() {
        std::unique_lock<std::mutex> lock(mutex);
        return changed.wait_for(lock, 10s, [this] { return quitting; });
    }
    void release() {
        const std::lock_guard<std::mutex> lock(mutex);
        released = true;
        changed.notify_all();
    }

  private:
    void serve() {
        Poco::Net::StreamSocket client = listener.acceptConnection();
        client.setReceiveTimeout(Poco::Timespan(10, 0));
        std::string buffer;
        const auto line = [&]() -> std::string {
            for (;;) {
                if (const auto end = buffer.find("\r\n"); end != std::string::npos) {
                    std::string l = buffer.substr(0, end);
                    buffer.erase(0, end + 2);
                    return l;
                }
                char bytes[4096];
                const int n = client.receiveBytes(bytes, sizeof bytes);
                if (n <= 0)
                    return "QUIT";
                buffer.append(bytes, static_cast<std::size_t>(n));
            }
        };
        const auto say = [&](const std::string& l) {
            client.sendBytes((l + "\r\n").data(), static_cast<int>(l.size() + 2));
        };
        try {
            say("220 stalling.example ESMTP");
            for (std::string command = line();; command = line()) {
                if (command.rfind("QUIT", 0) == 0)
                    break;
                if (command.rfind("DATA", 0) == 0) {
                    say("354 go on");
                    for (std::string l = line(); l != "."; l = line()) received += l + "\r\n";
                    say("250 2.0.0 queued as 1");
                } else {
                    say("250 ok");
                }
            }
        } catch (const Poco::Exception&) {
        }
        std::unique_lock<std::mutex> lock(mutex);
        quitting = true;
        changed.notify_all();
        changed.wait_for(lock, 20s, [this] { return released; });
        client.close();  // QUIT never answered
    }
};

}  // namespace

TEST_CASE(
    "SMTP: the outbox marks a message sent the moment the server accepts it, before QUIT: "
    "a server that then stalls or drops the connection leaves it sent, never to go again "
    "(the window in which a crash re-sends it)",
    "[mail][smtp]") {
    MailFixture f;
    StallingSmtpServer server;
    f.settings.mailTransport = "smtp";
    f.settings.smtp.port = server.port();
    f.settings.smtp.timeoutSeconds = 15;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    REQUIRE(f.sql("SELECT count(*) FROM outbox WHERE status = 'queued'") == "4");

    DispatchReport report;
    std::thread dispatcher([&] { report = f.open().outbox().deliver(kTester, 1); });
    const bool quitting = server.waitForQuit();
    CHECK(quitting);
    if (quitting) {
        // The server has the message and the dispatcher is still waiting for its goodbye: the
        // row is sent already, with the server's answer and its audit event.
        CHECK(f.sql("SELECT status || ' ' || server_answer FROM outbox WHERE status = 'sent'") ==
              "sent 250 2.0.0 queued as 1");
        CHECK(f.sql("SELECT count(*) FROM audit_event WHERE kind = 'mail.sent'") == "1");
    }
    server.release();
    dispatcher.join();
    CHECK(report.sent.size() == 1);
    CHECK(report.failed.empty());
    CHECK(server.received.find("Message-ID: <") != std::string::npos);
    CHECK(f.sql("SELECT count(*) FROM outbox WHERE status = 'queued'") == "3");

    // A transport that loses the connection after the server took the message (it throws then):
    // sent, not failed, and not tried again.
    struct LosesGoodbye final : notify::Transport {
        int sends = 0;
        std::string deliver(const std::string&, const std::string&, const std::string&,
                            const std::string&) override {
            throw std::logic_error("send is used");
        }
        std::string send(const std::string&, const std::string&, const std::string&,
                         const std::string&,
                         const std::function<void(const std::string&)>& accepted) override {
            ++sends;
            accepted("250 taken");
            throw notify::TransportError("connection lost before QUIT was answered");
        }
        std::string describe() const override { return "loses goodbye"; }
    } losing;
    {
        Installation i = f.open();
        i.setTransport(&losing);
        const auto lost = i.outbox().deliver(kTester);
        CHECK(lost.sent.size() == 3);
        CHECK(lost.failed.empty());
        f.clock.advance(std::chrono::hours(24));
        CHECK(i.outbox().deliver(kTester).sent.empty());
    }
    CHECK(losing.sends == 3);
    CHECK(f.sql("SELECT count(*) FROM outbox WHERE status = 'sent'") == "4");
    CHECK(f.sql("SELECT count(*) FROM audit_event WHERE kind = 'mail.sent'") == "4");
}

TEST_CASE("the portal believes X-Forwarded-For only from the trusted proxy", "[portal]") {
    for (const bool trusted : {false, true}) {
        MailFixture f;
        const std::string token = f.sendAndGetToken("ase@frogn.example");
        portal::PortalSettings settings;
        if (trusted)
            settings.trustedProxy = "127.0.0.1";
        ServedPortal served(f, settings);
        const std::string csrf = csrfIn(request(served.port(), "GET", "/s/" + token).body);
        CHECK(request(served.port(), "POST", "/s/" + token + "/sign", "confirm=yes&csrf=" + csrf,
                      {{"X-Forwarded-For", "198.51.100.2, 203.0.113.9"}})
                  .status == 200);
        CHECK(f.sql("SELECT ip_address FROM signature_evidence") ==
              (trusted ? "203.0.113.9" : "127.0.0.1"));
    }
}

TEST_CASE("the dashboard refuses an address after too many failed sign-ins (429)", "[portal]") {
    MailFixture f;
    portal::PortalSettings settings;
    settings.maxUnknownLinks = 3;
    ServedPortal served(f, settings);
    served.installation.users().add(kTester, "nora", "Nora Nett", "network_leader", kNetwork, "",
                                "riktig-passord-1");
    for (int i = 0; i < 3; ++i)
        CHECK(signIn(served.port(), "nora", "feil" + std::to_string(i)).status == 401);
    const Http blocked = signIn(served.port(), "nora", "riktig-passord-1");
    CHECK(blocked.status == 429);
    CHECK(sessionCookie(blocked).empty());
}

TEST_CASE(
    "login CSRF: the sign-in form carries a token of its own before any session, and a "
    "POST /app/login without it, without its cookie, with another form's or a forged one "
    "is refused (403) and signs no one in",
    "[portal][dashboard]") {
    MailFixture f;
    ServedPortal served(f, {});
    const unsigned port = served.port();
    served.installation.users().add(kTester, "nora", "Nora Nett", "network_leader", kNetwork, "",
                                    "riktig-passord-1");
    const std::string credentials = "username=nora&password=riktig-passord-1";
    const SignInForm form = signInForm(port), other = signInForm(port);
    CHECK(form.cookie != other.cookie);
    CHECK(form.csrf != other.csrf);

    const std::vector<std::pair<std::string, std::string>> forged = {
        {credentials, ""},                                   // a form from another site
        {credentials + "&csrf=" + form.csrf, ""},            // the token without its cookie
        {credentials, form.cookie},                          // the cookie without its token
        {credentials + "&csrf=" + other.csrf, form.cookie},  // another form's token
        {credentials + "&csrf=" + std::string(form.csrf.size(), 'a'), form.cookie},
        {credentials + "&csrf=" + form.csrf, "avtaleflyt_signin=1." + std::string(32, '0')},
    };
    for (const auto& [body, cookie] : forged) {
        INFO(body << " with cookie " << cookie);
        const Http refused = request(
            port, "POST", "/app/login", body,
            cookie.empty() ? std::vector<std::pair<std::string, std::string>>{}
                           : std::vector<std::pair<std::string, std::string>>{{"Cookie", cookie}});
        CHECK(refused.status == 403);
        CHECK(refused.body.find("Innloggingsskjemaet var for gammelt eller kom ikke fra denne "
                                "siden, så ingen ble logget inn") != std::string::npos);
        CHECK(refused.body.find("name=\"password\"") != std::string::npos);  // a fresh form
        CHECK(sessionCookie(refused).empty());
    }
    CHECK(f.sql("SELECT count(*) FROM web_session") == "0");

    // Six refusals, none of them a wrong password: the account is not locked, and the form as
    // the browser got it signs in.
    const Http in = request(port, "POST", "/app/login", credentials + "&csrf=" + form.csrf,
                            {{"Cookie", form.cookie}});
    CHECK(in.status == 303);
    CHECK(in.headers.get("Location", "") == "/app");
    const std::string session = sessionCookie(in);
    REQUIRE_FALSE(session.empty());
    CHECK(request(port, "GET", "/app", "", {{"Cookie", session}}).status == 200);
}

TEST_CASE("a link opens the document as sent even before its PDF is stored (a send stopped "
          "between opening the case and rendering)",
          "[signing]") {
    MailFixture f;
    const std::string nurse = f.sendAndGetToken("ase@frogn.example");
    test::execSql(f.db(), "DELETE FROM case_document WHERE kind = 'sent'");
    f.clock.advance(24h * 3);
    // Made now, dated the day it was sent.
    const auto pdf = f.open().signing().document(nurse);
    REQUIRE(pdf);
    const auto text = test::pdfText(*pdf);
    CHECK(text.find("Åse Bø") != std::string::npos);
    CHECK(text.find("2026-11-02") != std::string::npos);
    CHECK(text.find("2026-11-05") == std::string::npos);
}

TEST_CASE("the portal answers 48 keep-alive connections at once (with 8 threads, 24 of 32 "
          "connections were never answered)",
          "[portal]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("kari@frogn.example");
    // Many browsers, through the proxy (here all from one address: only the proxy's
    // connections are exempt from the per-address limit).
    portal::PortalSettings settings;
    settings.trustedProxy = "127.0.0.1";
    ServedPortal served(f, settings);
    // Every connection stays open after its first answer, as a browser's does.
    std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> sessions;
    int answered = 0;
    for (int i = 0; i < 48; ++i) {
        auto s = std::make_unique<Poco::Net::HTTPClientSession>(
            "127.0.0.1", static_cast<Poco::UInt16>(served.port()));
        s->setKeepAlive(true);
        s->setTimeout(Poco::Timespan(3, 0));
        Poco::Net::HTTPRequest req("GET", "/s/" + token, Poco::Net::HTTPMessage::HTTP_1_1);
        req.setKeepAlive(true);
        s->sendRequest(req);
        Poco::Net::HTTPResponse res;
        try {
            std::string body;
            Poco::StreamCopier::copyToString(s->receiveResponse(res), body);
            answered += res.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
        } catch (const Poco::TimeoutException&) {
        }
        sessions.push_back(std::move(s));
    }
    CHECK(answered == 48);
}

namespace {

// The users of every dashboard role, signed in: their session cookie and CSRF token.
struct SignedIn {
    std::string role, cookie, csrf;
};

std::vector<SignedIn> signInEveryRole(Installation& installation) {
    std::vector<SignedIn> out;
    for (const auto& [user, role, area] :
         std::vector<std::array<std::string, 3>>{{"nora", "network_leader", ""},
                                                 {"geir", "area_leader", "Follo"},
                                                 {"arkiv", "records_office", ""}}) {
        installation.users().add(kTester, user, user, role, kNetwork, area, "passord-" + user + "-1");
        const auto session = installation.users().signIn(kTester, user, "passord-" + user + "-1");
        REQUIRE(session.ok);
        out.push_back({role, "avtaleflyt_session=" + session.token,
                       installation.users().sessionUser(session.token)->second});
    }
    return out;
}

// The route's pattern with an open link's token and its case's reference filled in.
std::string pathOf(const portal::Route& route, const std::string& token, const std::string& reference) {
    std::string path = route.pattern;
    for (const auto& [name, value] : {std::pair<std::string, std::string>{"{token}", token}, {"{ref}", reference}})
        if (const auto at = path.find(name); at != std::string::npos)
            path.replace(at, name.size(), value);
    return path;
}

}  // namespace

TEST_CASE("every route of the table that takes a CSRF token refuses a POST without it or with a "
          "wrong one (403)",
          "[portal][dashboard]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    const std::string reference = f.open().signing().view(token).reference;
    ServedPortal served(f, {});
    const auto users = signInEveryRole(served.installation);
    const SignedIn& leader = users.front();  // a network leader passes every role check
    int checked = 0;
    for (const auto* route : served.server.routes()) {
        if (!route->csrf)
            continue;
        ++checked;
        CHECK(route->method == "POST");
        const std::string path = pathOf(*route, token, reference);
        INFO(path);
        CHECK(request(served.port(), "POST", path, "", {{"Cookie", leader.cookie}}).status == 403);
        CHECK(request(served.port(), "POST", path, "csrf=" + std::string(leader.csrf.size(), 'a'),
                      {{"Cookie", leader.cookie}})
                  .status == 403);
        CHECK(request(served.port(), "POST", path, "csrf=" + leader.csrf.substr(1),
                      {{"Cookie", leader.cookie}})
                  .status == 403);
    }
    CHECK(checked >= 15);
    // Nothing was done: the link is still open and the case still out for signing.
    CHECK(f.open().signing().view(token).status == SigningView::Status::Open);
    CHECK(f.open().cases().details(reference).c.state == "sent");
}

TEST_CASE("every route of the table that needs a role refuses a signed-in user of another role "
          "(403), with a valid CSRF token",
          "[portal][dashboard]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    const std::string reference = f.open().signing().view(token).reference;
    ServedPortal served(f, {});
    const auto users = signInEveryRole(served.installation);
    // Who may do what, as the dashboard has always allowed it.
    const std::map<portal::Need, std::set<std::string>> allowed = {
        {portal::Need::Acting, {"network_leader", "area_leader"}},
        {portal::Need::NetworkLeader, {"network_leader"}},
        {portal::Need::NotAreaLeader, {"network_leader", "records_office"}},
    };
    int refused = 0;
    for (const auto* route : served.server.routes()) {
        const auto roles = allowed.find(route->need);
        if (roles == allowed.end())
            continue;
        const std::string path = pathOf(*route, token, reference);
        for (const auto& user : users) {
            if (roles->second.count(user.role))
                continue;
            INFO(route->method << " " << path << " as " << user.role);
            ++refused;
            const Http answer = request(served.port(), route->method, path,
                                        route->method == "POST" ? "csrf=" + user.csrf : "",
                                        {{"Cookie", user.cookie}});
            CHECK(answer.status == 403);
            CHECK(answer.body.find("Ikke tillatt") != std::string::npos);
        }
    }
    CHECK(refused >= 20);
    CHECK(f.open().cases().details(reference).c.state == "sent");
}

TEST_CASE("a path of the table with another method gets 405 and an Allow header, an unknown "
          "path 404",
          "[portal]") {
    MailFixture f;
    ServedPortal served(f, {});
    const Http get = request(served.port(), "GET", "/s/" + std::string(43, 'A') + "/sign");
    CHECK(get.status == 405);
    CHECK(get.headers.get("Allow") == "POST");
    const Http post = request(served.port(), "POST", "/portal.css");
    CHECK(post.status == 405);
    CHECK(post.headers.get("Allow") == "GET");
    CHECK(post.headers.get("X-Frame-Options") == "DENY");
    CHECK(request(served.port(), "GET", "/ingen/slik").status == 404);
    CHECK(request(served.port(), "GET", "/api/ingen").status == 401);
    const Http app = request(served.port(), "GET", "/app/ingen");
    CHECK(app.status == 303);
    CHECK(app.headers.get("Location") == "/app/login");
}

TEST_CASE("a page template escapes {{name}}, inserts HTML only where it says {{{name}}} and "
          "refuses a name it has no value for",
          "[portal]") {
    using portal::Template;
    using portal::TemplateError;
    const engine::Texts nb("nb");
    portal::Values values;
    values.text["x"] = "<script>alert(\"1\")</script>";
    values.html["fragment"] = "<b>bold</b>";
    CHECK(Template("t", "<p title=\"{{x}}\">{{ x }}</p>").render(values, nb) ==
          "<p title=\"&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;\">"
          "&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;</p>");
    CHECK(Template("t", "{{{fragment}}}").render(values, nb) == "<b>bold</b>");
    CHECK_THROWS_AS(Template("t", "<p>{{unknown}}</p>").render(values, nb), TemplateError);
    CHECK_THROWS_AS(Template("t", "{{{unknown}}}").render(values, nb), TemplateError);
    CHECK_THROWS_AS(Template("t", "{{#unknown}}x{{/unknown}}").render(values, nb), TemplateError);
    CHECK_THROWS_AS(Template("t", "{{t.no.such.message}}").render(values, nb), TemplateError);
    // A text value is never inserted raw, nor an HTML value escaped in its place.
    CHECK_THROWS_AS(Template("t", "{{{x}}}").render(values, nb), TemplateError);
    CHECK_THROWS_AS(Template("t", "{{fragment}}").render(values, nb), TemplateError);
    CHECK_THROWS_AS(Template("t", "{{#x}}open"), TemplateError);
    CHECK_THROWS_AS(Template("t", "{{x"), TemplateError);

    portal::Values rows;
    rows.text = {{"csrf", "c1"}, {"empty", ""}};
    rows.rows["items"] = {{{{"name", "a&b"}}, {}, {}}, {{{"name", "c"}}, {}, {}}};
    CHECK(Template("t", "{{#items}}<li>{{name}}/{{csrf}}</li>{{/items}}{{^empty}}none{{/empty}}"
                        "{{#empty}}shown{{/empty}}{{t.app.login}}")
              .render(rows, nb) == "<li>a&amp;b/c1</li><li>c/c1</li>noneLogg inn");
    // Every page template the server embeds parses.
    CHECK(Template::names().size() >= 10);
    for (const auto& name : Template::names()) CHECK_NOTHROW(Template::named(name));
}

namespace {

// The request log's lines, as a channel of the "avtaleflyt.http" logger.
struct CapturedLog final : Poco::Channel {
    void log(const Poco::Message& message) override {
        std::lock_guard<std::mutex> lock(mutex);
        lines.push_back(message.getText());
    }
    std::vector<std::string> waitFor(std::size_t n) {
        for (int i = 0; i < 200; ++i) {
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (lines.size() >= n)
                    return lines;
            }
            std::this_thread::sleep_for(10ms);
        }
        std::lock_guard<std::mutex> lock(mutex);
        return lines;
    }
    std::mutex mutex;
    std::vector<std::string> lines;
};

}  // namespace

TEST_CASE("the request log line of a signing link names no token, no address and no query", "[portal]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    portal::PortalSettings settings;
    settings.trustedProxy = "127.0.0.1";
    ServedPortal served(f, settings);
    Poco::AutoPtr<CapturedLog> captured(new CapturedLog);
    auto& logger = Poco::Logger::get("avtaleflyt.http");
    logger.setChannel(captured);
    logger.setLevel(Poco::Message::PRIO_INFORMATION);

    const std::string csrf = csrfIn(request(served.port(), "GET", "/s/" + token + "?hemmelig=ja").body);
    CHECK(request(served.port(), "POST", "/s/" + token + "/sign", "confirm=yes&csrf=" + csrf,
                  {{"X-Forwarded-For", "203.0.113.9"}})
              .status == 200);
    const auto lines = captured->waitFor(2);
    logger.setChannel(nullptr);
    REQUIRE(lines.size() == 2);
    CHECK(std::regex_match(lines[0], std::regex("GET /s/<token> 200 [0-9.]+ ms")));
    CHECK(std::regex_match(lines[1], std::regex("POST /s/<token>/sign 200 [0-9.]+ ms")));
    for (const auto& line : lines) {
        CHECK(line.find(token) == std::string::npos);
        CHECK(line.find(token.substr(0, 8)) == std::string::npos);
        CHECK(line.find("127.0.0.1") == std::string::npos);
        CHECK(line.find("203.0.113.9") == std::string::npos);
        CHECK(line.find("hemmelig") == std::string::npos);
    }
}

TEST_CASE("every route of the table that needs a session sends a request without one to the "
          "sign-in (303 for GET, 401 for POST), and one that needs an API token answers 401",
          "[portal][dashboard]") {
    MailFixture f;
    ServedPortal served(f, {});
    int checked = 0;
    for (const auto* route : served.server.routes()) {
        if (route->need == portal::Need::Nobody)
            continue;
        ++checked;
        const std::string path = pathOf(*route, std::string(43, 'A'), "FB-2026-0001");
        INFO(route->method << " " << path);
        const Http answer = request(served.port(), route->method, path, "",
                                    {{"Cookie", "avtaleflyt_session=" + std::string(43, 'x')}});
        if (route->need == portal::Need::ApiToken) {
            CHECK(answer.status == 401);
            CHECK(answer.headers.get("WWW-Authenticate", "") == "Bearer");
        } else if (route->method == "GET") {
            CHECK(answer.status == 303);
            CHECK(answer.headers.get("Location", "") == "/app/login");
        } else {
            CHECK(answer.status == 401);
            CHECK(answer.body.find("name=\"password\"") != std::string::npos);
        }
    }
    CHECK(checked >= 25);
}

namespace {

// A client that opens a connection and sends what it is given, as slowly as it likes.
struct RawClient {
    Poco::Net::StreamSocket socket;
    explicit RawClient(unsigned port)
        : socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port))) {
        socket.setReceiveTimeout(Poco::Timespan(5, 0));
    }
    void send(const std::string& bytes) {
        socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    }
    // What the server sends until it closes the connection (or 5 s pass).
    std::string untilClosed() {
        std::string got;
        char buf[4096];
        try {
            for (int n; (n = socket.receiveBytes(buf, sizeof buf)) > 0;) got.append(buf, n);
        } catch (const Poco::Exception&) {
            got += "<no close>";
        }
        return got;
    }
};

}  // namespace

TEST_CASE("slow clients: a request's headers dripping in are cut off in time, one address gets "
          "no more than its share of connections, and signers are answered meanwhile (10 such "
          "sockets held every signing page for 70 s)",
          "[portal]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    portal::PortalSettings settings;
    settings.maxConnectionsPerAddress = 4;
    settings.headerTime = std::chrono::milliseconds(1500);
    ServedPortal served(f, settings);
    const unsigned port = served.port();

    std::vector<std::unique_ptr<RawClient>> slow;
    for (int i = 0; i < 4; ++i) {
        slow.push_back(std::make_unique<RawClient>(port));
        slow.back()->send("GET /s/" + token + " HTTP/1.1\r\nHost: x\r\n");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // all four being served
    RawClient fifth(port);
    const std::string refused = fifth.untilClosed();
    CHECK(refused.rfind("HTTP/1.1 503", 0) == 0);
    CHECK(refused.find("Retry-After: 5") != std::string::npos);
    CHECK(refused.find("For mange samtidige forbindelser") != std::string::npos);

    // One header line every 400 ms: never done, so cut off once the header time is up.
    const auto start = std::chrono::steady_clock::now();
    std::thread dripping([&] {
        for (int i = 0; i < 8; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(400));
            for (auto& c : slow) {
                try {
                    c->send("X-Slow-" + std::to_string(i) + ": 1\r\n");
                } catch (const Poco::Exception&) {
                    // cut off already
                }
            }
        }
    });
    for (auto& c : slow) CHECK(c->untilClosed().find("<no close>") == std::string::npos);
    const auto cut = std::chrono::steady_clock::now() - start;
    CHECK(cut < std::chrono::milliseconds(2500));
    dripping.join();

    const Http page = request(port, "GET", "/s/" + token);
    CHECK(page.status == 200);
    CHECK(page.body.find("Åse Bø") != std::string::npos);
    served.server.stop();
}

TEST_CASE("the portal stops under load: in-flight requests are answered or refused, every thread "
          "is joined before the installation goes (serve aborted on 5 of 15 SIGTERMs)",
          "[portal]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    for (int round = 0; round < 5; ++round) {
        std::atomic<bool> stopped{false};
        std::atomic<int> answered{0};
        std::vector<std::thread> clients;
        {
            ServedPortal served(f, {});
            const unsigned port = served.port();
            for (int t = 0; t < 8; ++t)
                clients.emplace_back([&, port] {
                    while (!stopped) {
                        try {
                            if (request(port, "GET", "/s/" + token).status == 200)
                                ++answered;
                        } catch (const Poco::Exception&) {
                            // refused once the server stops: what a client sees then
                        }
                    }
                });
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            served.server.stop();
        }  // the installation goes here, after every request thread has ended
        stopped = true;
        for (auto& c : clients) c.join();
        CHECK(answered > 0);
    }
}

TEST_CASE("HTTP details: a redirect says 303 See Other (it said 303 OK), the bearer scheme is "
          "taken in any case, and a long decline reason is cut between characters",
          "[portal]") {
    MailFixture f;
    const std::string token = f.sendAndGetToken("ase@frogn.example");
    ServedPortal served(f, {});
    const unsigned port = served.port();
    const Http toLogin = request(port, "GET", "/app");
    CHECK(toLogin.status == 303);
    CHECK(toLogin.reason == "See Other");

    served.installation.users().add(kTester, "nora", "Nora Nett", "network_leader", kNetwork, "",
                                    "riktig-passord-1");
    const std::string api = served.installation.users().createApiToken(kTester, "nora");
    for (const std::string scheme : {"Bearer ", "bearer ", "BEARER "})
        CHECK(request(port, "GET", "/api/status", "", {{"Authorization", scheme + api}}).status ==
              200);

    const Http page = request(port, "GET", "/s/" + token);
    const std::string reason = std::string(1999, 'a') + "øæå";  // the 2,000th byte inside "ø"
    std::string encoded;
    Poco::URI::encode(reason, "&=+", encoded);
    const Http declined = request(port, "POST", "/s/" + token + "/decline",
                                  "csrf=" + csrfIn(page.body) + "&reason=" + encoded);
    CHECK(declined.status == 200);
    const std::string stored =
        f.sql("SELECT reason FROM signature_request WHERE status = 'declined'");
    CHECK(stored == std::string(1999, 'a'));
    CHECK(text::isValidUtf8(stored));
    served.server.stop();
}
