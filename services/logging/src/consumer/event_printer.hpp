#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "consumer/hourly_archive.hpp"
#include "consumer/options.hpp"
#include "consumer/recent_ids.hpp"
#include "merch/common/error.hpp"

namespace merch::logs {

// What became of one record.
enum class Shown {
  kYes,
  kFilteredOut,  // not in the --trace-id trace
  kDuplicate,    // --dedupe: its event_id was shown already
  kNotJson,      // not an event, and --json has no line for it; the caller may say so elsewhere
};

// Decides, for each record of the topic, whether and how to show it: the --trace-id filter,
// --dedupe (RecentIds), the readable or the --json line, the hourly files, and the
// --max-events count. Knows nothing of Kafka. Writes whole lines to `out` and flushes each, so that
// a reader at the end of a pipe sees events as they come. Not thread-safe.
class EventPrinter {
 public:
  // `archive` is null without --hourly-dir; when set it must outlive the printer.
  EventPrinter(const LogsOptions& options, bool colour, std::ostream& out, HourlyArchive* archive);

  // Handles one record's payload. `record_ms` is the time filed for an event that carries no
  // usable timestamp of its own (the Kafka record's time). An error when the hourly file
  // cannot be written; the event is then not printed either.
  Result<Shown> Handle(std::string_view payload, std::int64_t record_ms);

  // Whether --max-events have been shown.
  bool Done() const { return max_events_ && shown_ >= *max_events_; }
  std::int64_t ShownCount() const { return shown_; }

 private:
  void Print(const std::string& line);

  std::optional<std::string> trace_id_;
  bool json_;
  std::optional<std::int64_t> max_events_;
  bool colour_;
  std::ostream& out_;
  HourlyArchive* archive_;
  std::optional<RecentIds> shown_ids_;  // with --dedupe
  std::int64_t shown_ = 0;
};

}  // namespace merch::logs
