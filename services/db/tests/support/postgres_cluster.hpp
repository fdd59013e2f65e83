#pragma once

#include <cstdint>
#include <string>

namespace merch::testing {

// A private PostgreSQL cluster for a test process, run by scripts/postgres.sh in a fresh
// folder on a free port. Start waits until the server accepts connections (pg_ctl -w).
class PostgresCluster {
 public:
  PostgresCluster();
  ~PostgresCluster();  // stops the server and deletes the folder
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  void Start();
  void Stop();
  std::string Url() const;

 private:
  void Run(const std::string& command) const;  // scripts/postgres.sh <command>

  std::string dir_;
  std::uint16_t port_;
};

// The cluster shared by every test of the process (started by the test main).
PostgresCluster& Cluster();

}  // namespace merch::testing
