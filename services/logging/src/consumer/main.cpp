// merch-logs: follows the log topic and prints one line per event (see kUsage). Reads the
// options, wires the Kafka follower to the printer, and turns SIGINT/SIGTERM into a clean stop.
#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "consumer/event_printer.hpp"
#include "consumer/hourly_archive.hpp"
#include "consumer/options.hpp"
#include "consumer/topic_follower.hpp"
#include "merch/common/clock.hpp"
#include "merch/common/config.hpp"

namespace merch::logs {
namespace {

// SIGINT and SIGTERM, blocked in every thread and taken by polling, so that a stop closes the
// consumer from the main loop rather than from a signal handler.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    // Before librdkafka starts its threads, which inherit the mask.
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  }

  bool Received() {
    if (received_) return true;
    const timespec no_wait{};
    if (sigtimedwait(&signals_, nullptr, &no_wait) > 0) {
      received_ = true;
      // A second Ctrl-C ends the process at once, should closing the consumer hang.
      pthread_sigmask(SIG_UNBLOCK, &signals_, nullptr);
    }
    return received_;
  }

 private:
  sigset_t signals_{};
  bool received_ = false;
};

int Run(const std::vector<std::string>& args) {
  const Env env = Env::FromProcess();
  auto options = ParseLogsOptions(args, env);
  if (!options) {
    std::cerr << "merch-logs: " << options.error().detail << "\n\n" << kUsage;
    return 2;
  }
  if (options->help) {
    std::cout << kUsage;
    return 0;
  }
  // NO_COLOR (no-color.org): any non-empty value turns colours off; an empty one is an error
  // for Env, and means unset.
  const auto no_color = env.String("NO_COLOR", "");
  const bool colour =
      !options->json && isatty(STDOUT_FILENO) == 1 && !(no_color && !no_color->empty());

  std::optional<HourlyArchive> archive;
  if (options->hourly_dir) {
    auto opened = HourlyArchive::Open(*options->hourly_dir, options->topic);
    if (!opened) {
      std::cerr << "merch-logs: --hourly-dir: " << opened.error().detail << '\n';
      return 1;
    }
    archive.emplace(std::move(*opened));
  }

  StopSignals stop_signals;
  EventPrinter printer(*options, colour, std::cout, archive ? &*archive : nullptr);
  auto follower = TopicFollower::Create({.brokers = options->brokers,
                                         .topic = options->topic,
                                         .from_beginning = options->from_beginning,
                                         .exit_at_end = options->exit_at_end},
                                        std::cerr);
  if (!follower) {
    std::cerr << "merch-logs: " << follower.error().detail << '\n';
    return 1;
  }

  auto followed = (*follower)->Run(
      [&stop_signals] { return stop_signals.Received(); },
      [&](const Record& record) -> Result<bool> {
        auto shown = printer.Handle(record.payload,
                                    record.timestamp_ms >= 0 ? record.timestamp_ms : UnixMillis());
        if (!shown) return shown.error();
        if (*shown == Shown::kNotJson) {
          std::cerr << "merch-logs: skipped a record that is not JSON (partition "
                    << record.partition << ", offset " << record.offset << ")\n";
        }
        return !printer.Done();
      });
  if (!followed) {
    std::cerr << "merch-logs: " << followed.error().detail << '\n';
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace merch::logs

int main(int argc, char** argv) {
  try {
    return merch::logs::Run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& error) {
    std::cerr << "merch-logs: " << error.what() << '\n';
    return 1;
  }
}
