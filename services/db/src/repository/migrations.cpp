#include "repository/migrations.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <pqxx/pqxx>
#include <string>

namespace merch::db {
namespace {

// Any constant shared by every merch-db process; it names the migration lock.
constexpr std::int64_t kMigrationLockId = 0x6d65726368;  // "merch"

struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view sql;
};

Result<Migration> Parse(const EmbeddedFile& file) {
  const std::string_view name = file.name;
  const auto separator = name.find("__");
  int version = 0;
  const bool well_formed = name.starts_with('V') && separator != std::string_view::npos &&
                           separator > 1 && name.ends_with(".sql") &&
                           std::from_chars(name.data() + 1, name.data() + separator, version).ptr ==
                               name.data() + separator &&
                           version > 0;
  if (!well_formed) {
    return Error{ErrorCode::kInvalidArgument,
                 "migration file name " + std::string(name) + " is not V<number>__<name>.sql"};
  }
  return Migration{version, name, file.content};
}

}  // namespace

Result<int> ApplyMigrations(pqxx::connection& connection, const std::vector<EmbeddedFile>& files) {
  std::vector<Migration> migrations;
  for (const auto& file : files) {
    auto migration = Parse(file);
    if (!migration) return migration.error();
    migrations.push_back(*migration);
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      return Error{ErrorCode::kInvalidArgument,
                   "two migrations have version " + std::to_string(migrations[i].version)};
    }
  }

  pqxx::work transaction(connection);
  transaction.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockId);
  transaction.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY,"
      " name text NOT NULL,"
      " checksum text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  std::map<int, std::string> applied;
  for (const auto& row : transaction.exec("SELECT version, checksum FROM schema_migrations")) {
    applied.emplace(row[0].as<int>(), row[1].as<std::string>());
  }

  int count = 0;
  for (const auto& migration : migrations) {
    const std::string sql(migration.sql);
    const auto checksum = transaction.exec_params1("SELECT md5($1)", sql)[0].as<std::string>();
    if (auto found = applied.find(migration.version); found != applied.end()) {
      if (found->second != checksum) {
        return Error{ErrorCode::kInternal, "migration " + std::string(migration.name) +
                                               " was changed after it was applied"};
      }
      continue;
    }
    transaction.exec(sql);
    transaction.exec_params(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
        migration.version, std::string(migration.name), checksum);
    spdlog::info("applied migration {}", migration.name);
    ++count;
  }
  transaction.commit();
  return count;
}

}  // namespace merch::db
