#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>

#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::documents {

Table readTableFile(const std::string& path) {
    Poco::File file(path);
    if (!file.exists())
        throw TableFileError(path + ": no such file");
    if (!file.isFile())
        throw TableFileError(path + ": not a file");
    if (file.getSize() > kMaxTableFileBytes)
        throw TableFileError(path + ": the file is larger than " +
                             std::to_string(kMaxTableFileBytes / (1024 * 1024)) + " MiB");
    std::string bytes;
    try {
        Poco::FileInputStream in(path, std::ios::in | std::ios::binary);
        Poco::StreamCopier::copyToString(in, bytes);
    } catch (const Poco::Exception& e) {
        throw TableFileError(path + ": cannot read the file (" + e.displayText() + ")");
    }
    const std::string ext = text::foldCase(Poco::Path(path).getExtension());
    if (ext == "xlsx")
        return parseXlsx(bytes, path);
    if (ext == "xls")
        throw TableFileError(path +
                             ": the old Excel format (.xls) is not read; save it as .xlsx or CSV");
    return parseCsv(bytes, path);
}

}  // namespace avtaleflyt::documents
