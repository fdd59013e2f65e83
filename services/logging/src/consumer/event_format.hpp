#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "merch/common/error.hpp"

// How merch-logs shows one event of the log topic (README, "The log pipeline"): pure functions, no
// I/O.
namespace merch::logs {

// The times FormatUtcTime can write, in Unix milliseconds: the years 0000 to 9999.
inline constexpr std::int64_t kMinTimestamp = -62167219200000;  // 0000-01-01T00:00:00.000Z
inline constexpr std::int64_t kMaxTimestamp = 253402300799999;  // 9999-12-31T23:59:59.999Z

// "2026-11-21T13:16:00.123Z": UTC, always with milliseconds. A time out of range is clamped.
std::string FormatUtcTime(std::int64_t unix_ms);

// "<topic>-YYYY-MM-DD-HH.jsonl" for the UTC hour of `unix_ms` (clamped like FormatUtcTime).
std::string HourlyFileName(std::string_view topic, std::int64_t unix_ms);

// The payload as an event, i.e. a JSON object; kInvalidArgument for anything else.
Result<boost::json::object> ParseEvent(std::string_view payload);

// The event's `timestamp` when it is an integral number of milliseconds within range.
std::optional<std::int64_t> EventTimestamp(const boost::json::object& event);

// Whether the event's `trace_id` starts with `trace_prefix`: the full id selects one trace, and
// the short form a readable line shows is enough too.
bool InTrace(const boost::json::object& event, std::string_view trace_prefix);

// The readable line for an event, without a newline:
//   2026-11-21T13:16:00.123Z INFO  merch-api  http.access       trace=4bf92f35…  GET /p → 200 (1.2
//   ms) 2026-11-21T13:16:00.124Z INFO  merch-api  order.placed      trace=4bf92f35…  order 17
//   placed id=17
// An http.access event shows its request; any other shows its message. Fields beyond the common
// ones follow as key=value. Missing or mistyped common fields show as "-". Control characters in
// the event are escaped, so an event can never drive the terminal. `colour` adds ANSI colours.
std::string FormatEventLine(const boost::json::object& event, bool colour);

// The line for a payload that is not an event: "(not JSON) <payload>", escaped likewise.
std::string FormatNotJsonLine(std::string_view payload, bool colour);

// A JSON payload on one line. JSON allows raw line breaks only as whitespace between tokens, so
// turning them into spaces keeps the value the same.
std::string OneLine(std::string_view json);

}  // namespace merch::logs
