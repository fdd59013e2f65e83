#include "repository/migrations.hpp"

#include <gtest/gtest.h>

#include <pqxx/connection>

#include "support/harness.hpp"

namespace merch::testing {
namespace {

TEST(MigrationsTest, ApplyingAgainChangesNothing) {
  pqxx::connection connection(Cluster().Url());
  auto applied = db::ApplyMigrations(connection, db::BundledMigrations());
  ASSERT_TRUE(applied.has_value()) << applied.error().detail;
  EXPECT_EQ(*applied, 0);
  Sql sql;
  EXPECT_EQ(sql.Count("SELECT count(*) FROM schema_migrations"),
            static_cast<std::int64_t>(db::BundledMigrations().size()));
  EXPECT_EQ(sql.Count("SELECT count(*) FROM products WHERE name LIKE 'SUSTech %'"), 3);
}

TEST(MigrationsTest, TheBundleHoldsTheRepositoryFilesInOrder) {
  const auto& files = db::BundledMigrations();
  ASSERT_GE(files.size(), 2U);
  EXPECT_EQ(files[0].name, "V001__init.sql");
  EXPECT_NE(files[0].content.find("CREATE TABLE users"), std::string_view::npos);
}

TEST(MigrationsTest, AnEditedMigrationIsRefused) {
  pqxx::connection connection(Cluster().Url());
  auto files = db::BundledMigrations();
  const std::string edited = std::string(files[0].content) + "\n-- edited\n";
  files[0].content = edited;
  auto applied = db::ApplyMigrations(connection, files);
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().detail, "migration V001__init.sql was changed after it was applied");
}

TEST(MigrationsTest, BadNamesAndDuplicateVersionsAreRefused) {
  pqxx::connection connection(Cluster().Url());
  for (const auto& files : std::vector<std::vector<db::EmbeddedFile>>{
           {{"001_init.sql", "SELECT 1"}},
           {{"V1_init.sql", "SELECT 1"}},
           {{"Vx__init.sql", "SELECT 1"}},
           {{"V1__a.sql", "SELECT 1"}, {"V01__b.sql", "SELECT 1"}}}) {
    EXPECT_FALSE(db::ApplyMigrations(connection, files).has_value()) << files[0].name;
  }
}

TEST(MigrationsTest, ConstraintsBackTheRules) {
  Sql sql;
  const auto product = sql.CreateProduct(1);
  EXPECT_THROW(sql.Exec("UPDATE products SET stock = -1 WHERE id = " + std::to_string(product)),
               pqxx::check_violation);
  EXPECT_THROW(sql.Exec("INSERT INTO users (sid, username, email, password_hash) VALUES "
                        "('bad sid', 'name', 'a@b', '$argon2id$x')"),
               pqxx::check_violation);
  EXPECT_THROW(sql.Exec("INSERT INTO users (sid, username, email, password_hash) VALUES "
                        "('okSid', 'name', 'a@b', 'plain')"),
               pqxx::check_violation);
}

}  // namespace
}  // namespace merch::testing
