// Starts one private PostgreSQL cluster for the whole test process and migrates it once.
#include <gtest/gtest.h>

#include <memory>

#include "repository/connection.hpp"
#include "repository/migrations.hpp"
#include "support/postgres_cluster.hpp"

namespace merch::testing {
namespace {

std::unique_ptr<PostgresCluster> cluster;

class ClusterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    cluster = std::make_unique<PostgresCluster>();
    auto connection = db::ConnectWithRetry(cluster->Url(), std::chrono::seconds(10));
    auto applied = db::ApplyMigrations(*connection, db::BundledMigrations());
    ASSERT_TRUE(applied.has_value()) << applied.error().detail;
  }
  void TearDown() override { cluster.reset(); }
};

}  // namespace

PostgresCluster& Cluster() { return *cluster; }

}  // namespace merch::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new merch::testing::ClusterEnvironment);
  return RUN_ALL_TESTS();
}
