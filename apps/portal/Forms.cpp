#include "Forms.h"

#include <Poco/Exception.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>

#include <sstream>

namespace avtaleflyt::portal {
namespace {

// The file of a multipart form, in memory up to a limit.
class UploadHandler final : public Poco::Net::PartHandler {
  public:
    UploadHandler(Upload& upload, std::size_t limit) : upload_(upload), limit_(limit) {}
    void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
        std::string disposition;
        Poco::Net::NameValueCollection params;
        Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""),
                                                  disposition, params);
        upload_.fileName = params.get("filename", "");
        char buf[65536];
        while (stream.read(buf, sizeof buf) || stream.gcount() > 0) {
            upload_.bytes.append(buf, static_cast<std::size_t>(stream.gcount()));
            if (upload_.bytes.size() > limit_) {
                upload_.tooLarge = true;
                upload_.bytes.clear();
                return;
            }
        }
    }

  private:
    Upload& upload_;
    std::size_t limit_;
};

}  // namespace

std::unique_ptr<Poco::Net::HTMLForm> parseForm(const std::string& body) {
    auto form = std::make_unique<Poco::Net::HTMLForm>();
    try {
        std::istringstream in(body);
        form->read(in);
    } catch (const Poco::Exception&) {
        return nullptr;
    }
    return form;
}

void readMultipart(const Poco::Net::HTTPRequest& request, std::istream& body,
                   Poco::Net::HTMLForm& form, Upload& upload, std::size_t limit) {
    UploadHandler files(upload, limit);
    form.load(request, body, files);
}

}  // namespace avtaleflyt::portal
