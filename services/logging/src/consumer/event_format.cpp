#include "consumer/event_format.hpp"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <span>
#include <system_error>

namespace merch::logs {
namespace {

// Column widths of the readable line. The event column fits every event name of the README's "The
// log pipeline"
// ("user.login_failed" is the longest); the service column fits "merch-api".
constexpr std::size_t kLevelWidth = 5;
constexpr std::size_t kServiceWidth = 10;
constexpr std::size_t kEventWidth = 17;
constexpr std::size_t kTimeWidth = 24;  // "2026-11-21T13:16:00.123Z"
// A trace id is shortened to this many characters: enough to tell traces apart by eye, and a
// valid --trace-id prefix.
constexpr std::size_t kTraceShown = 8;

constexpr std::array<std::string_view, 7> kCommonFields = {
    "level", "service_name", "message", "timestamp", "trace_id", "event", "event_id"};
constexpr std::array<std::string_view, 4> kAccessFields = {"method", "path", "status",
                                                           "latency_ms"};

// Room for the date formats with any int in every field, so that the compiler can see nothing
// is cut off; the fields are in fact bounded and the text is at most 24 characters.
constexpr std::size_t kFormatBuffer = 96;

constexpr std::string_view kReset = "\x1b[0m";

struct UtcTime {
  int year;
  unsigned month;
  unsigned day;
  int hour;
  int minute;
  int second;
  int millisecond;
};

UtcTime ToUtc(std::int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> time{
      milliseconds{std::clamp(unix_ms, kMinTimestamp, kMaxTimestamp)}};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  return {
      .year = static_cast<int>(date.year()),
      .month = static_cast<unsigned>(date.month()),
      .day = static_cast<unsigned>(date.day()),
      .hour = static_cast<int>(clock.hours().count()),
      .minute = static_cast<int>(clock.minutes().count()),
      .second = static_cast<int>(clock.seconds().count()),
      .millisecond = static_cast<int>(clock.subseconds().count()),
  };
}

bool Contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Escapes C0 controls, DEL and the C1 controls (U+0080..U+009F, as UTF-8), which a terminal
// would otherwise act on. Everything else, including other UTF-8, is kept.
std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool c1 = byte == 0xC2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\r') {
      out += "\\r";
    } else if (byte == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      std::array<char, 8> escaped{};
      std::snprintf(escaped.data(), escaped.size(), "\\x%02x", byte);
      out += escaped.data();
    } else if (c1) {
      std::array<char, 8> escaped{};
      std::snprintf(escaped.data(), escaped.size(), "\\u%04x",
                    static_cast<unsigned char>(text[++i]));
      out += escaped.data();
    } else {
      out += static_cast<char>(byte);
    }
  }
  return out;
}

std::string Padded(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string Coloured(std::string_view text, std::string_view colour, bool enabled) {
  if (!enabled || colour.empty()) return std::string(text);
  return std::string(colour) + std::string(text) + std::string(kReset);
}

std::string_view LevelColour(std::string_view level) {
  if (level == "ERROR") return "\x1b[1;31m";  // bold red
  if (level == "WARN") return "\x1b[33m";     // yellow
  if (level == "INFO") return "\x1b[32m";     // green
  if (level == "DEBUG") return "\x1b[2m";     // dim
  return {};
}

const boost::json::string* StringField(const boost::json::object& event, std::string_view name) {
  const auto* value = event.if_contains(name);
  return value != nullptr && value->is_string() ? &value->get_string() : nullptr;
}

// The field as text for a fixed-width column: "-" when missing or not a string.
std::string Column(const boost::json::object& event, std::string_view name) {
  const auto* value = StringField(event, name);
  return value != nullptr && !value->empty() ? Printable(*value) : "-";
}

std::string FormatDouble(double value) {
  std::array<char, 32> text{};
  const auto end = std::to_chars(text.data(), text.data() + text.size(), value).ptr;
  return {text.data(), end};
}

// A field value as a human reads it: plain words bare, other strings quoted, numbers in their
// shortest form (Boost.JSON would write 0.5 as 5E-1).
std::string FormatValue(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string: {
      const std::string_view text = value.get_string();
      const bool bare = !text.empty() && text.find_first_of(" \"=\\") == std::string_view::npos &&
                        std::none_of(text.begin(), text.end(), [](char c) {
                          return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
                        });
      return Printable(bare ? text : boost::json::serialize(value));
    }
    case boost::json::kind::double_:
      return FormatDouble(value.get_double());
    default:
      return Printable(boost::json::serialize(value));
  }
}

// " key=value" for every field not in `shown`, in the event's order.
std::string Extras(const boost::json::object& event, std::span<const std::string_view> shown) {
  std::string out;
  for (const auto& [name, value] : event) {
    if (Contains(kCommonFields, name) || Contains(shown, name)) continue;
    out += ' ';
    out += Printable(name);
    out += '=';
    out += FormatValue(value);
  }
  return out;
}

// "GET /products/1 → 200 (1.2 ms)", or nothing when the event lacks its request fields.
std::optional<std::string> AccessSummary(const boost::json::object& event) {
  const auto* method = StringField(event, "method");
  const auto* path = StringField(event, "path");
  const auto* status = event.if_contains("status");
  if (method == nullptr || path == nullptr || status == nullptr || !status->is_number()) {
    return std::nullopt;
  }
  std::string out = Printable(*method) + " " + Printable(*path) + " → " + FormatValue(*status);
  if (const auto* latency = event.if_contains("latency_ms");
      latency != nullptr && latency->is_number()) {
    // One decimal; a latency too large for that within the buffer (anyone can write the
    // topic: the fuzzer sent 1e291) is written in the shortest exact form instead, never as
    // whatever to_chars left in the buffer when it failed.
    const double milliseconds = latency->to_number<double>();
    std::array<char, 32> text{};
    auto written = std::to_chars(text.data(), text.data() + text.size(), milliseconds,
                                 std::chars_format::fixed, 1);
    if (written.ec != std::errc{}) {
      written = std::to_chars(text.data(), text.data() + text.size(), milliseconds);
    }
    out += " (" + std::string(text.data(), written.ptr) + " ms)";
  }
  return out;
}

}  // namespace

std::string FormatUtcTime(std::int64_t unix_ms) {
  const UtcTime time = ToUtc(unix_ms);
  std::array<char, kFormatBuffer> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", time.year,
                time.month, time.day, time.hour, time.minute, time.second, time.millisecond);
  return text.data();
}

std::string HourlyFileName(std::string_view topic, std::int64_t unix_ms) {
  const UtcTime time = ToUtc(unix_ms);
  std::array<char, kFormatBuffer> text{};
  std::snprintf(text.data(), text.size(), "-%04d-%02u-%02u-%02d.jsonl", time.year, time.month,
                time.day, time.hour);
  return std::string(topic) + text.data();
}

Result<boost::json::object> ParseEvent(std::string_view payload) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(payload, error);
  if (error) return Error{ErrorCode::kInvalidArgument, "not JSON: " + error.message()};
  if (!value.is_object()) return Error{ErrorCode::kInvalidArgument, "not a JSON object"};
  return std::move(value.get_object());
}

std::optional<std::int64_t> EventTimestamp(const boost::json::object& event) {
  const auto* value = event.if_contains("timestamp");
  if (value == nullptr) return std::nullopt;
  boost::system::error_code error;
  // Also takes 1.7e12 or 1700000000000.0: integral values, whatever their JSON spelling.
  const auto timestamp = value->to_number<std::int64_t>(error);
  if (error || timestamp < kMinTimestamp || timestamp > kMaxTimestamp) return std::nullopt;
  return timestamp;
}

bool InTrace(const boost::json::object& event, std::string_view trace_prefix) {
  const auto* trace = StringField(event, "trace_id");
  return trace != nullptr && std::string_view(*trace).starts_with(trace_prefix);
}

std::string FormatEventLine(const boost::json::object& event, bool colour) {
  const auto timestamp = EventTimestamp(event);
  const std::string level = Column(event, "level");

  std::string trace = Column(event, "trace_id");
  if (trace.size() > kTraceShown) trace = trace.substr(0, kTraceShown) + "…";

  std::string line = Padded(timestamp ? FormatUtcTime(*timestamp) : "-", kTimeWidth);
  line += ' ';
  line += Coloured(Padded(level, kLevelWidth), LevelColour(level), colour);
  line += ' ';
  line += Padded(Column(event, "service_name"), kServiceWidth);
  line += ' ';
  line += Padded(Column(event, "event"), kEventWidth);
  line += " trace=";
  line += trace;
  line += "  ";

  std::optional<std::string> access;
  if (const auto* name = StringField(event, "event"); name != nullptr && *name == "http.access") {
    access = AccessSummary(event);
  }
  if (access) {
    line += *access;
    line += Extras(event, kAccessFields);
  } else {
    const auto* message = StringField(event, "message");
    std::string extras = Extras(event, {});
    if (message != nullptr) {
      line += Printable(*message);
    } else if (!extras.empty()) {
      extras.erase(0, 1);  // no message: the extras start the text
    }
    line += extras;
  }
  return line;
}

std::string FormatNotJsonLine(std::string_view payload, bool colour) {
  return Coloured("(not JSON)", "\x1b[1;31m", colour) + " " + Printable(payload);
}

std::string OneLine(std::string_view json) {
  std::string line(json);
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return line;
}

}  // namespace merch::logs
