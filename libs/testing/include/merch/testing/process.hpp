#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

// Helpers shared by the services' test suites (never linked into a service).
namespace merch::testing {

// Asks the kernel for a free TCP port on 127.0.0.1.
std::uint16_t FreePort();

// Runs `command` through /bin/sh and throws std::runtime_error unless it exits 0.
void RunOrThrow(const std::string& command);

// A child process running `binary` with the test's environment plus `settings`
// ("NAME=value"); its stderr goes to a log file that Log() reads. Killed (SIGKILL) when
// destroyed if still running.
class ChildProcess {
 public:
  ChildProcess(const std::string& binary, const std::vector<std::string>& settings);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool Started() const { return pid_ > 0; }
  void Signal(int signal) const;
  // Waits for the exit; returns the exit code, or 128 + the signal that ended it.
  int Wait();
  std::string Log() const;

 private:
  std::string log_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

}  // namespace merch::testing
