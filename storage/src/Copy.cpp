#include "avtaleflyt/storage/Copy.h"

#include <algorithm>

#include "Backend.h"
#include "DatabaseImpl.h"
#include "avtaleflyt/storage/AuditLog.h"

namespace avtaleflyt::storage {
namespace {

// Every table the migrations make, parents before the tables that refer to them.
const std::vector<std::string> kTables = {
    "network",       "area",          "person",          "unit",         "membership",
    "area_leader",   "network_leader", "audit_event",    "audit_head",   "case_file",
    "signature_request", "case_timer", "case_action",    "case_counter", "case_document",
    "outbox",        "signing_token", "signature_evidence", "app_user",  "web_session",
    "api_token",     "installation_secret"};

struct Column {
    std::string name;
    bool blob;
};

std::vector<Column> columnsOf(Lease& db, const std::string& table) {
    const std::string sql = "PRAGMA table_info(" + table + ")";
    Query info(db, sql, Query::Unkept{});
    std::vector<Column> out;
    while (info.step()) out.push_back({info.text(1), info.text(2) == "BLOB"});
    return out;
}

std::int64_t rowsIn(Lease& db, const std::string& table) {
    const std::string sql = "SELECT count(*) FROM " + table;
    Query count(db, sql, Query::Unkept{});
    count.step();
    return count.integer(0);
}

}  // namespace

CopyReport copyToPostgresql(Database& from, const std::string& to) {
    if (from.dialect() != Dialect::SQLite)
        throw StorageError(from.name() + ": only an SQLite installation is copied");
    // Empty: no tables, or only the schema of a copy that failed before (no rows in it).
    std::string foreign;
    bool schema = false;
    {
        auto probe = postgresqlBackend(to);
        auto connection = probe->connect();
        auto tables = connection->prepare(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() ORDER BY table_name",
            false);
        while (tables->step()) {
            const std::string table = tables->bytes(0);
            schema = true;
            if (table != "schema_version" &&
                std::find(kTables.begin(), kTables.end(), table) == kTables.end())
                foreign += (foreign.empty() ? "" : ", ") + table;
        }
        if (!foreign.empty())
            throw StorageError(probe->name() + " is not empty (it holds the tables " + foreign +
                               "): migrate-to copies into an empty database only");
    }
    Database target(to, Database::Mode::CreateIfMissing);
    if (schema) {
        Lease into(target);
        for (const auto& table : kTables)
            if (table == "audit_head" ? AuditLog(target).head().seq != 0 : rowsIn(into, table) > 0)
                throw StorageError(target.name() + " is not empty (its table " + table +
                                   " holds rows): migrate-to copies into an empty database only");
    }
    CopyReport report;
    report.target = target.name();
    Transaction reading(from);  // no writer changes the source while it is copied
    Lease source(from);
    {
        Transaction writing(target);
        Lease into(target);
        if (from.schemaVersion() != target.schemaVersion())
            throw StorageError(from.name() + ": schema version " +
                               std::to_string(from.schemaVersion()) + ", but " + target.name() +
                               " has " + std::to_string(target.schemaVersion()));
        into.execScript("DELETE FROM audit_head", "copying audit_head");  // the migration's row
        for (const auto& table : kTables) {
            const auto columns = columnsOf(source, table);
            std::string names, placeholders;
            for (std::size_t i = 0; i < columns.size(); ++i) {
                names += (i ? ", " : "") + columns[i].name;
                placeholders += (i ? ", $" : "$") + std::to_string(i + 1);
            }
            const std::string select = "SELECT " + names + " FROM " + table;
            const std::string insert =
                "INSERT INTO " + table + " (" + names + ") VALUES (" + placeholders + ")";
            Query rows(source, select, Query::Unkept{});
            Query write(into, insert, Query::Unkept{});
            try {
                while (rows.step()) {
                    for (std::size_t i = 0; i < columns.size(); ++i) {
                        const int c = static_cast<int>(i);
                        if (rows.isNull(c))
                            write.bind(c + 1, std::optional<std::string>());
                        else if (columns[i].blob)
                            write.bindBlob(c + 1, rows.bytes(c));
                        else
                            write.bind(c + 1, rows.text(c));
                    }
                    write.run();
                    write.next();
                }
            } catch (const StorageError& e) {
                throw StorageError("copying " + table + ": " + e.what());
            }
            // Identity columns go on after the ids copied.
            if (columns.front().name == "id" && table != "audit_head")
                into.execScript("SELECT setval(pg_get_serial_sequence('" + table +
                                    "', 'id'), COALESCE((SELECT MAX(id) FROM " + table +
                                    "), 0) + 1, false)",
                                "setting the next id of " + table);
        }
        writing.commit();
    }
    // The proof: every table as full as the source, and the same unbroken log.
    Lease into(target);
    for (const auto& table : kTables) {
        const auto expected = rowsIn(source, table);
        const auto copied = rowsIn(into, table);
        if (copied != expected)
            throw StorageError(report.target + ": " + table + " has " + std::to_string(copied) +
                               " rows, the source " + std::to_string(expected));
        report.rows.emplace_back(table, copied);
    }
    const auto verified = AuditLog(target).verify();
    if (!verified.intact())
        throw StorageError(report.target + ": the copied audit log does not verify");
    const auto head = AuditLog(target).head();
    const auto sourceHead = AuditLog(from).head();
    if (head.seq != sourceHead.seq || head.hash != sourceHead.hash)
        throw StorageError(report.target + ": the copied audit log's head differs from the source's");
    report.headSeq = head.seq;
    report.headHash = head.hash;
    return report;
}

}  // namespace avtaleflyt::storage
