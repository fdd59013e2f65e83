#include "support/postgres_cluster.hpp"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "merch/testing/process.hpp"

namespace merch::testing {

PostgresCluster::PostgresCluster()
    : dir_("/tmp/merch-test-pg-" + std::to_string(::getpid())), port_(FreePort()) {
  Run("destroy");  // a leftover of an earlier, killed run with the same pid
  Start();
}

PostgresCluster::~PostgresCluster() {
  try {
    Run("destroy");
  } catch (const std::exception&) {
    // Nothing more can be done in a destructor; the folder is in /tmp.
  }
}

void PostgresCluster::Start() { Run("start"); }

void PostgresCluster::Stop() { Run("stop"); }

std::string PostgresCluster::Url() const {
  // The password scripts/postgres.sh made at the first start.
  std::ifstream file(dir_ + "/password");
  std::string password;
  std::getline(file, password);
  return "postgresql://postgres:" + password + "@127.0.0.1:" + std::to_string(port_) + "/merch";
}

void PostgresCluster::Run(const std::string& command) const {
  RunOrThrow("PG_DIR=" + dir_ + " PG_PORT=" + std::to_string(port_) +
             " " MERCH_SOURCE_DIR "/scripts/postgres.sh " + command);
}

}  // namespace merch::testing
