#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "merch/common/config.hpp"
#include "merch/common/error.hpp"

namespace merch::logs {

// What merch-logs was asked to do; see kUsage.
struct LogsOptions {
  std::string brokers;                     // --brokers, else KAFKA_BROKERS, else 127.0.0.1:9092
  std::string topic;                       // --topic, else KAFKA_TOPIC, else log-channel
  bool from_beginning = false;             // else only events published after the start
  std::optional<std::string> trace_id;     // only events whose trace id starts with this
  bool json = false;                       // the raw JSON object instead of the readable line
  std::optional<std::string> hourly_dir;   // also append shown events to hourly .jsonl files
  std::optional<std::int64_t> max_events;  // exit after this many shown events
  bool exit_at_end = false;                // exit once every partition is read to its end
  bool dedupe = false;                     // drop events whose event_id was recently shown
  bool help = false;                       // print kUsage and exit 0; nothing else is checked
};

inline constexpr std::string_view kUsage =
    R"(usage: merch-logs [options]
Follows the Kafka topic of the store's log events and prints one readable line per event.

  --brokers HOST:PORT[,...]  bootstrap servers (default: $KAFKA_BROKERS, else 127.0.0.1:9092)
  --topic NAME               topic (default: $KAFKA_TOPIC, else log-channel)
  --from-beginning           start at the oldest event (default: only new events)
  --trace-id ID              only the events of trace ID (a prefix is enough, e.g. the 8
                             characters a readable line shows)
  --json                     print each event's raw JSON object, one per line
  --hourly-dir DIR           also append each shown event's JSON to
                             DIR/<topic>-YYYY-MM-DD-HH.jsonl (the UTC hour of its timestamp)
  --max-events N             exit after N shown events
  --exit-at-end              exit once every partition has been read to its current end
  --dedupe                   drop an event whose event_id one of the last 100,000 shown
                             events had (delivery is at least once: a resent batch repeats)
  --help                     show this text

Stop with Ctrl-C. Exit status: 0 done or stopped, 1 failure, 2 bad options.
)";

// Parses the arguments after the program name; `--name value` and `--name=value` both work.
// Defaults come from `env`, read only for options the arguments leave unset. A bad argument
// is kInvalidArgument with a one-line reason.
Result<LogsOptions> ParseLogsOptions(std::span<const std::string> args, const Env& env);

}  // namespace merch::logs
