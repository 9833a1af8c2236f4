# Writes OUTPUT, a C++ file defining avtaleflyt::storage::builtinMigrations() from the files
# MIGRATIONS_DIR/NNNN_name.sql, in version order. Run as a script (cmake -P).
file(GLOB files ${MIGRATIONS_DIR}/*.sql)
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  get_filename_component(base ${f} NAME_WE)
  if(NOT base MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)$")
    message(FATAL_ERROR "${f}: migration files are named NNNN_name.sql (lower case, digits, _)")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(name ${CMAKE_MATCH_2})
  file(READ ${f} sql)
  string(APPEND body "        {${version}, \"${name}\", R\"avtaleflyt_sql(${sql})avtaleflyt_sql\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from storage/migrations by cmake/EmbedMigrations.cmake. Do not edit.
#include \"avtaleflyt/storage/Database.h\"

namespace avtaleflyt::storage {

const std::vector<Migration>& builtinMigrations() {
    static const std::vector<Migration> migrations = {
${body}    };
    return migrations;
}

}  // namespace avtaleflyt::storage
")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
