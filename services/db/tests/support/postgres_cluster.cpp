#include "support/postgres_cluster.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace merch::testing {

std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

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

std::string PostgresCluster::url() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/merch";
}

void PostgresCluster::Run(const std::string& command) const {
  const std::string line = "PG_DIR=" + dir_ + " PG_PORT=" + std::to_string(port_) + " " +
                           MERCH_SOURCE_DIR "/scripts/postgres.sh " + command;
  if (std::system(line.c_str()) != 0) {  // NOLINT(concurrency-mt-unsafe)
    throw std::runtime_error("failed: " + line);
  }
}

}  // namespace merch::testing
