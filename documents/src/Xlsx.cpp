// The first sheet of an .xlsx workbook, read with bounded memory whatever the file holds: each
// part is parsed (SAX) as it unpacks, within kMaxXlsxPartBytes; no part may have a DTD, so no
// entity is ever expanded; cells go through the TableBuilder and its limits.

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <string_view>

#include "TableBuilder.h"
#include "ZipReader.h"
#include "avtaleflyt/documents/TableFile.h"

namespace avtaleflyt::documents {
namespace {

constexpr std::size_t kExcelColumns = 16384;  // A to XFD
constexpr int kExcelRows = 1048576;
// Bytes of element and attribute names a part may bring into the parser's dictionary (a
// workbook uses a few hundred).
constexpr std::size_t kMaxNameBytes = 1024 * 1024;

// The attributes of an element as libxml2's SAX2 hands them over.
class Attributes {
  public:
    Attributes(int count, const xmlChar** values) : count_(count), values_(values) {}

    // The value of the attribute whose local name is `name` (any namespace), if present.
    std::optional<std::string_view> operator[](const char* name) const {
        for (int i = 0; i < count_; ++i) {
            const xmlChar** a = values_ + 5 * i;  // local name, prefix, URI, value, value end
            if (std::strcmp(reinterpret_cast<const char*>(a[0]), name) == 0)
                return std::string_view(reinterpret_cast<const char*>(a[3]),
                                        static_cast<std::size_t>(a[4] - a[3]));
        }
        return std::nullopt;
    }

  private:
    int count_;
    const xmlChar** values_;
};

// What a part's reader does with its elements and text. Its methods may throw; the parse then
// stops and the exception passes on.
class PartHandler {
  public:
    virtual ~PartHandler() = default;
    virtual void start(std::string_view name, const Attributes& attributes) = 0;
    virtual void end(std::string_view name) = 0;
    virtual void text(std::string_view text) = 0;
    // Where in the part the reader is, for a message: "SOURCE: sheet "X", cell B7".
    virtual std::string where() const = 0;
};

// A value for a message: as it is if short and plain ASCII, else a description.
std::string shown(std::string_view s) {
    const bool plain = s.size() <= 24 && std::all_of(s.begin(), s.end(),
                                                     [](char c) { return c >= 0x20 && c < 0x7F; });
    return plain ? "\"" + std::string(s) + "\"" : "(" + std::to_string(s.size()) + " bytes)";
}

// A whole number in decimal digits only, if it is one no larger than `max`.
std::optional<std::size_t> number(std::string_view s, std::size_t max) {
    if (s.empty() || s.size() > 19)
        return std::nullopt;
    std::size_t n = 0;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (n > max)
        return std::nullopt;
    return n;
}

std::string columnName(std::size_t column) {
    std::string s;
    for (++column; column; column = (column - 1) / 26)
        s.insert(s.begin(), static_cast<char>('A' + (column - 1) % 26));
    return s;
}

// Excel stores numbers as doubles in text; whole numbers (phone numbers) print without ".0".
std::string numberText(const std::string& v) {
    const auto dot = v.find('.');
    if (dot != std::string::npos && v.find_first_not_of('0', dot + 1) == std::string::npos)
        return v.substr(0, dot);
    return v;
}

std::string resolveTarget(std::string_view target) {
    if (!target.empty() && target[0] == '/')
        return std::string(target.substr(1));
    return "xl/" + std::string(target);
}

// One part parsed by libxml2's push parser, fed as the part unpacks.
class PartParser {
  public:
    // Thrown by feed() and finish() when the parse stopped at a DTD or an XML error; the
    // caller, who knows the part's name, reports it (hasDoctype(), xmlError()).
    struct Stopped {};

    PartParser(PartHandler& handler, const std::string& part) : handler_(handler) {
        xmlSAXHandler sax{};
        sax.initialized = XML_SAX2_MAGIC;
        sax.startElementNs = &PartParser::onStart;
        sax.endElementNs = &PartParser::onEnd;
        sax.characters = &PartParser::onText;
        sax.cdataBlock = &PartParser::onText;
        sax.internalSubset = &PartParser::onDoctype;
        sax.serror = &PartParser::onError;
        ctxt_.reset(xmlCreatePushParserCtxt(&sax, this, nullptr, 0, part.c_str()));
        if (!ctxt_)
            throw std::bad_alloc();
        xmlCtxtUseOptions(ctxt_.get(), XML_PARSE_NONET);
        xmlDictSetLimit(ctxt_->dict, kMaxNameBytes);
    }

    // Parses the next bytes of the part; throws what went wrong (see check()).
    void feed(const char* data, std::size_t size) {
        xmlParseChunk(ctxt_.get(), data, static_cast<int>(size), 0);
        check();
    }

    void finish() {
        xmlParseChunk(ctxt_.get(), nullptr, 0, 1);
        check();
        if (!ctxt_->wellFormed) {
            xmlError_ = "an error libxml2 did not describe";
            throw Stopped();
        }
    }

    bool hasDoctype() const { return doctype_; }
    const std::string& xmlError() const { return xmlError_; }

  private:
    // Rethrows a handler's exception, or throws Stopped.
    void check() {
        if (thrown_)
            std::rethrow_exception(thrown_);
        if (doctype_ || !xmlError_.empty())
            throw Stopped();
    }

    static PartParser& self(void* ctx) { return *static_cast<PartParser*>(ctx); }

    // Runs a handler's method, keeping what it throws for check() (no C++ exception may pass
    // through libxml2).
    template <typename F>
    void guarded(F&& f) {
        if (thrown_)
            return;
        try {
            f();
        } catch (...) {
            thrown_ = std::current_exception();
            xmlStopParser(ctxt_.get());
        }
    }

    static void onStart(void* ctx, const xmlChar* name, const xmlChar*, const xmlChar*, int,
                        const xmlChar**, int count, int, const xmlChar** attributes) {
        auto& p = self(ctx);
        p.guarded([&] {
            p.handler_.start(reinterpret_cast<const char*>(name), Attributes(count, attributes));
        });
    }
    static void onEnd(void* ctx, const xmlChar* name, const xmlChar*, const xmlChar*) {
        auto& p = self(ctx);
        p.guarded([&] { p.handler_.end(reinterpret_cast<const char*>(name)); });
    }
    static void onText(void* ctx, const xmlChar* text, int size) {
        auto& p = self(ctx);
        p.guarded([&] {
            p.handler_.text(std::string_view(reinterpret_cast<const char*>(text),
                                             static_cast<std::size_t>(size)));
        });
    }
    // Called at <!DOCTYPE, before its declarations are read.
    static void onDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
        auto& p = self(ctx);
        p.doctype_ = true;
        xmlStopParser(p.ctxt_.get());
    }
    static void onError(void* ctx, xmlErrorPtr error) {
        auto& p = self(ctx);
        if (error->level < XML_ERR_ERROR || !p.xmlError_.empty() || p.doctype_ || p.thrown_)
            return;
        std::string message = error->message ? error->message : "error";
        for (char& c : message)
            if (c == '\n')
                c = ' ';
        while (!message.empty() && message.back() == ' ') message.pop_back();
        if (message.size() > 200) {  // it may quote a name of up to 50,000 bytes
            std::size_t cut = 200;
            while (cut && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
            message = message.substr(0, cut) + "...";
        }
        p.xmlError_ = "line " + std::to_string(error->line) + ": " + message;
        xmlStopParser(p.ctxt_.get());
    }

    PartHandler& handler_;
    std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt_{nullptr, &xmlFreeParserCtxt};
    bool doctype_ = false;
    std::string xmlError_;
    std::exception_ptr thrown_;
};

class Workbook {
  public:
    Workbook(const std::string& bytes, std::string source) : source_(std::move(source)) {
        try {
            zip_.emplace(bytes);
        } catch (const ZipError& e) {
            fail(std::string("not an .xlsx workbook (") + e.what() + ")");
        }
    }

    const std::string& source() const { return source_; }

    [[noreturn]] void fail(const std::string& why) const {
        throw TableFileError(source_ + ": " + why);
    }

    // Parses `part` through `handler`; false if the workbook has no such part.
    bool parse(const std::string& part, PartHandler& handler) const {
        const auto entry = zip_->find(part);
        if (!entry)
            return false;
        PartParser parser(handler, part);
        try {
            zip_->read(*entry, kMaxXlsxPartBytes,
                       [&](const char* data, std::size_t size) { parser.feed(data, size); });
            parser.finish();
        } catch (const ZipError& e) {
            fail(part + " " + e.what() + "; the workbook is refused");
        } catch (const PartParser::Stopped&) {
            if (parser.hasDoctype())
                fail(part +
                     " has a DTD (<!DOCTYPE>), which Excel never writes; the workbook is refused");
            throw TableFileError(handler.where() + ": " + part + " is not well-formed XML (" +
                                 parser.xmlError() + ")");
        }
        return true;
    }

  private:
    std::string source_;
    std::optional<ZipReader> zip_;
};

// xl/workbook.xml: the first sheet's name and relationship id.
class SheetList : public PartHandler {
  public:
    explicit SheetList(const Workbook& book) : book_(book) {}

    void start(std::string_view name, const Attributes& a) override {
        if (name != "sheet" || found)
            return;
        found = true;
        sheetName = std::string(a["name"].value_or(""));
        relationship = std::string(a["id"].value_or(""));
    }
    void end(std::string_view) override {}
    void text(std::string_view) override {}
    std::string where() const override { return book_.source(); }

    bool found = false;
    std::string sheetName;
    std::string relationship;

  private:
    const Workbook& book_;
};

// xl/_rels/workbook.xml.rels: where the relationship's part is.
class Relationships : public PartHandler {
  public:
    Relationships(const Workbook& book, std::string id) : book_(book), id_(std::move(id)) {}

    void start(std::string_view name, const Attributes& a) override {
        if (name == "Relationship" && !target && a["Id"] == std::string_view(id_))
            if (const auto t = a["Target"])
                target = resolveTarget(*t);
    }
    void end(std::string_view) override {}
    void text(std::string_view) override {}
    std::string where() const override { return book_.source(); }

    std::optional<std::string> target;

  private:
    const Workbook& book_;
    std::string id_;
};

// xl/sharedStrings.xml: the text of each <si>, without phonetic runs (<rPh>).
class SharedStrings : public PartHandler {
  public:
    SharedStrings(const Workbook& book, TableBuilder& table, std::vector<std::string>& strings)
        : book_(book), table_(table), strings_(strings) {}

    void start(std::string_view name, const Attributes&) override {
        if (name == "si") {
            inItem_ = true;
            phonetic_ = 0;
            current_.clear();
        } else if (name == "rPh") {
            ++phonetic_;
        } else if (name == "t" && inItem_ && !phonetic_) {
            inText_ = true;
        }
    }
    void end(std::string_view name) override {
        if (name == "t") {
            inText_ = false;
        } else if (name == "rPh" && phonetic_) {
            --phonetic_;
        } else if (name == "si" && inItem_) {
            inItem_ = false;
            table_.charge(sizeof(std::string) + current_.size());
            strings_.push_back(std::move(current_));
            current_.clear();
        }
    }
    void text(std::string_view t) override {
        if (inText_)
            table_.append(current_, t);
    }
    std::string where() const override {
        return book_.source() + ": xl/sharedStrings.xml, shared string " +
               std::to_string(strings_.size());
    }

  private:
    const Workbook& book_;
    TableBuilder& table_;
    std::vector<std::string>& strings_;
    bool inItem_ = false;
    bool inText_ = false;
    int phonetic_ = 0;
    std::string current_;
};

// The sheet's rows and cells, into the TableBuilder.
class SheetCells : public PartHandler {
  public:
    SheetCells(std::string label, TableBuilder& table, const std::vector<std::string>& shared)
        : label_(std::move(label)), table_(table), shared_(shared) {}

    void start(std::string_view name, const Attributes& a) override {
        if (name == "sheetData") {
            inData_ = true;
        } else if (name == "row" && inData_) {
            startRow(a["r"]);
        } else if (name == "c" && inRow_) {
            startCell(a["r"], a["t"].value_or(""));
        } else if (!inCell_) {
            return;
        } else if (name == "v") {
            inValue_ = true;
        } else if (name == "is") {
            inInline_ = true;
        } else if (name == "rPh") {
            ++phonetic_;
        } else if (name == "t" && inInline_ && !phonetic_) {
            inText_ = true;
        }
    }

    void end(std::string_view name) override {
        if (name == "sheetData") {
            inData_ = false;
        } else if (name == "row" && inRow_) {
            table_.endRow();
            inRow_ = false;
        } else if (name == "c" && inCell_) {
            endCell();
        } else if (name == "v") {
            inValue_ = false;
        } else if (name == "is") {
            inInline_ = false;
        } else if (name == "rPh" && phonetic_) {
            --phonetic_;
        } else if (name == "t") {
            inText_ = false;
        }
    }

    void text(std::string_view t) override {
        if (inValue_)
            table_.append(raw_, t);
        else if (inText_)
            table_.append(value_, t);
    }

    std::string where() const override {
        if (inCell_)
            return label_ + ", cell " + columnName(column_) + std::to_string(line_);
        if (inRow_)
            return label_ + ", row " + std::to_string(line_);
        return line_ ? label_ + ", after row " + std::to_string(line_) : label_;
    }

  private:
    [[noreturn]] void fail(const std::string& cause) const { table_.fail(cause); }

    void startRow(std::optional<std::string_view> r) {
        inRow_ = false;  // until its number is known good
        if (r) {
            const auto n = number(*r, kExcelRows);
            if (!n || *n == 0)
                fail("a row numbered " + shown(*r) + ", which is not a row number (1 to " +
                     std::to_string(kExcelRows) + ")");
            line_ = static_cast<int>(*n);
        } else if (line_ == kExcelRows) {
            fail("a row after Excel's last row (" + std::to_string(kExcelRows) + ")");
        } else {
            ++line_;
        }
        inRow_ = true;
        nextColumn_ = 0;
        table_.startRow(line_);
    }

    void startCell(std::optional<std::string_view> r, std::string_view type) {
        if (r) {
            std::size_t letters = 0, column = 0;
            while (letters < r->size() && letters < 3 && (*r)[letters] >= 'A' &&
                   (*r)[letters] <= 'Z')
                column = column * 26 + static_cast<std::size_t>((*r)[letters++] - 'A' + 1);
            const std::string_view digits = r->substr(letters);
            if (!letters || column > kExcelColumns ||
                (!digits.empty() && !number(digits, kExcelRows)))
                fail("a cell named " + shown(*r) + ", which is not a cell reference (A1 to XFD" +
                     std::to_string(kExcelRows) + ")");
            column_ = column - 1;
        } else if (nextColumn_ == kExcelColumns) {
            fail("a cell right of Excel's last column (XFD)");
        } else {
            column_ = nextColumn_;
        }
        nextColumn_ = column_ + 1;
        inCell_ = true;
        type_ = std::string(type.substr(0, 16));
        raw_.clear();
        value_.clear();
        phonetic_ = 0;
    }

    void endCell() {
        std::string value;
        if (type_ == "inlineStr") {
            value = std::move(value_);
        } else if (type_ == "s") {
            const auto index = number(raw_, std::numeric_limits<std::size_t>::max());
            if (!index || *index >= shared_.size())
                fail("the cell refers to shared string " + shown(raw_) + ", which " +
                     (index ? "does not exist (the workbook has " + std::to_string(shared_.size()) +
                                  ")"
                            : "is not a number"));
            value = shared_[*index];
        } else if (type_ == "b") {
            value = raw_ == "1" ? "TRUE" : "FALSE";
        } else if (type_ == "str" || type_ == "e") {
            value = std::move(raw_);
        } else {
            value = numberText(raw_);
        }
        table_.cell(column_, std::move(value));
        inCell_ = inValue_ = inInline_ = inText_ = false;
    }

    std::string label_;
    TableBuilder& table_;
    const std::vector<std::string>& shared_;
    bool inData_ = false, inRow_ = false, inCell_ = false;
    bool inValue_ = false, inInline_ = false, inText_ = false;
    int phonetic_ = 0;
    int line_ = 0;
    std::size_t column_ = 0, nextColumn_ = 0;
    std::string type_, raw_, value_;
};

}  // namespace

Table parseXlsx(const std::string& bytes, const std::string& source) {
    Workbook book(bytes, source);
    SheetList sheets(book);
    if (!book.parse("xl/workbook.xml", sheets))
        book.fail("not an .xlsx workbook (xl/workbook.xml is missing)");
    if (!sheets.found)
        book.fail("the workbook has no sheets");

    std::string sheetPath = "xl/worksheets/sheet1.xml";
    Relationships rels(book, sheets.relationship);
    if (book.parse("xl/_rels/workbook.xml.rels", rels) && rels.target)
        sheetPath = *rels.target;

    // Until the sheet is read, the builder's messages name the part being read.
    const PartHandler* reading = nullptr;
    TableBuilder table(source, [&] { return reading ? reading->where() : source; });
    std::vector<std::string> shared;
    SharedStrings strings(book, table, shared);
    reading = &strings;
    book.parse("xl/sharedStrings.xml", strings);

    const std::string& name = sheets.sheetName;
    const bool plainName =
        !name.empty() && name.size() <= 31 && std::none_of(name.begin(), name.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20;
        });
    SheetCells cells(source + ": " + (plainName ? "sheet \"" + name + "\"" : "the first sheet"),
                     table, shared);
    reading = &cells;
    if (!book.parse(sheetPath, cells))
        book.fail("the first sheet (" + shown(sheetPath) + ") is missing");
    return table.finish();
}

}  // namespace avtaleflyt::documents
