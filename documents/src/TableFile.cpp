#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>

#include "avtaleflyt/documents/Files.h"
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
        bytes = readFile(path);
    } catch (const FileError& e) {
        throw TableFileError(e.what());
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
