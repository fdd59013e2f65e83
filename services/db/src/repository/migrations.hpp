#pragma once

#include <pqxx/connection>
#include <string_view>
#include <vector>

#include "merch/common/error.hpp"

namespace merch::db {

struct EmbeddedFile {
  std::string_view name;
  std::string_view content;
};

// db/migrations/*.sql, in name order, compiled into the binary (cmake/EmbedFiles.cmake).
const std::vector<EmbeddedFile>& BundledMigrations();

// Applies the migrations not yet recorded in `schema_migrations`, in version order, in one
// transaction under an advisory lock, so concurrent starters apply each exactly once.
// Names must look like `V001__what.sql`. A migration whose text changed after it was applied
// is an error (schema changes are new files, never edits). Returns how many were applied.
Result<int> ApplyMigrations(pqxx::connection& connection,
                            const std::vector<EmbeddedFile>& migrations);

}  // namespace merch::db
