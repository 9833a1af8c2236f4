#include <Poco/Exception.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>

#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::documents {

Table readTableFile(const std::string& path, Env& env) {
    const auto size = env.fileSize(path);
    if (!size)
        throw TableFileError(path + (env.exists(path) ? ": not a file" : ": no such file"));
    if (*size > kMaxTableFileBytes)
        throw TableFileError(path + ": the file is larger than " +
                             std::to_string(kMaxTableFileBytes / (1024 * 1024)) + " MiB");
    std::string bytes;
    try {
        bytes = env.readFile(path);
    } catch (const EnvError& e) {
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
