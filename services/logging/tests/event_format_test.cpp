// Unit tests of merch-logs' pure parts: the line format, the hourly files, option parsing and
// the printer's choices. No Kafka.
#include "consumer/event_format.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "consumer/event_printer.hpp"
#include "consumer/hourly_archive.hpp"
#include "consumer/options.hpp"
#include "consumer/recent_ids.hpp"

namespace merch::logs {
namespace {

constexpr std::int64_t kTime = 1763731000123;  // 2025-11-21T13:16:40.123Z

boost::json::object Event(const boost::json::object& extra = {}) {
  boost::json::object event{{"level", "INFO"},
                            {"service_name", "merch-api"},
                            {"message", "order 17 placed"},
                            {"timestamp", kTime},
                            {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"},
                            {"event", "order.placed"},
                            {"event_id", "e-1"}};
  for (const auto& [name, value] : extra) event[name] = value;
  return event;
}

boost::json::object Access() {
  auto event =
      Event({{"method", "GET"}, {"path", "/products/1"}, {"status", 200}, {"latency_ms", 1.234}});
  event["event"] = "http.access";
  event["message"] = "GET /products/1";
  return event;
}

// --- time and file names -------------------------------------------------------------------

TEST(EventFormatTest, TimesAreUtcWithMilliseconds) {
  EXPECT_EQ(FormatUtcTime(kTime), "2025-11-21T13:16:40.123Z");
  EXPECT_EQ(FormatUtcTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatUtcTime(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatUtcTime(kMaxTimestamp), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatUtcTime(kMinTimestamp), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcTime(INT64_MAX), "9999-12-31T23:59:59.999Z");  // clamped
  EXPECT_EQ(FormatUtcTime(INT64_MIN), "0000-01-01T00:00:00.000Z");
}

TEST(EventFormatTest, HourlyFileNamesFollowTheUtcHourOfTheEvent) {
  EXPECT_EQ(HourlyFileName("log-channel", kTime), "log-channel-2025-11-21-13.jsonl");
  EXPECT_EQ(HourlyFileName("log-channel", 1763733599999), "log-channel-2025-11-21-13.jsonl");
  EXPECT_EQ(HourlyFileName("log-channel", 1763733600000), "log-channel-2025-11-21-14.jsonl");
  EXPECT_EQ(HourlyFileName("other.topic", 0), "other.topic-1970-01-01-00.jsonl");
}

// --- parsing events ------------------------------------------------------------------------

TEST(EventFormatTest, OnlyJsonObjectsAreEvents) {
  auto event = ParseEvent(R"({"event":"x","n":1})");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->at("n").as_int64(), 1);
  EXPECT_FALSE(ParseEvent("not json").has_value());
  EXPECT_FALSE(ParseEvent(R"({"unterminated":)").has_value());
  EXPECT_FALSE(ParseEvent("[1,2]").has_value());
  EXPECT_FALSE(ParseEvent("42").has_value());
  EXPECT_FALSE(ParseEvent("").has_value());
}

TEST(EventFormatTest, TimestampMustBeIntegralMillisecondsInRange) {
  EXPECT_EQ(EventTimestamp(Event()), kTime);
  EXPECT_EQ(EventTimestamp({{"timestamp", 1.5e12}}), 1500000000000);
  EXPECT_EQ(EventTimestamp({}), std::nullopt);
  EXPECT_EQ(EventTimestamp({{"timestamp", "1763731000123"}}), std::nullopt);
  EXPECT_EQ(EventTimestamp({{"timestamp", 1.5}}), std::nullopt);
  EXPECT_EQ(EventTimestamp({{"timestamp", kMaxTimestamp + 1}}), std::nullopt);
  EXPECT_EQ(EventTimestamp({{"timestamp", nullptr}}), std::nullopt);
}

TEST(EventFormatTest, TraceMatchesTheWholeIdOrAPrefix) {
  const auto event = Event();
  EXPECT_TRUE(InTrace(event, "4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_TRUE(InTrace(event, "4bf92f35"));
  EXPECT_FALSE(InTrace(event, "4bf92f3577b34da6a3ce929d0e0e4736x"));
  EXPECT_FALSE(InTrace(event, "other"));
  EXPECT_FALSE(InTrace({{"trace_id", 7}}, "7"));
  EXPECT_FALSE(InTrace({}, "x"));
}

// --- readable lines ------------------------------------------------------------------------

TEST(EventFormatTest, AccessEventShowsItsRequest) {
  EXPECT_EQ(FormatEventLine(Access(), false),
            "2025-11-21T13:16:40.123Z INFO  merch-api  http.access       trace=4bf92f35…  "
            "GET /products/1 → 200 (1.2 ms)");
}

// Found by fuzz/event_format_fuzz.cpp: a latency too large for one decimal in the formatting
// buffer came out as the buffer's NUL bytes.
TEST(EventFormatTest, AHugeLatencyIsWrittenInItsShortestForm) {
  auto event = Access();
  event["latency_ms"] = 9.5e290;
  EXPECT_EQ(FormatEventLine(event, false),
            "2025-11-21T13:16:40.123Z INFO  merch-api  http.access       trace=4bf92f35…  "
            "GET /products/1 → 200 (9.5e+290 ms)");
}

TEST(EventFormatTest, AccessEventShowsFurtherFieldsAndNeedsNoLatency) {
  auto event = Access();
  event.erase("latency_ms");
  event["user_id"] = 7;
  event["status"] = 404;
  EXPECT_EQ(FormatEventLine(event, false),
            "2025-11-21T13:16:40.123Z INFO  merch-api  http.access       trace=4bf92f35…  "
            "GET /products/1 → 404 user_id=7");
}

TEST(EventFormatTest, AccessEventWithoutItsRequestFieldsFallsBackToTheMessage) {
  auto event = Access();
  event.erase("status");
  EXPECT_EQ(FormatEventLine(event, false),
            "2025-11-21T13:16:40.123Z INFO  merch-api  http.access       trace=4bf92f35…  "
            "GET /products/1 method=GET path=/products/1 latency_ms=1.234");
}

TEST(EventFormatTest, OtherEventsShowTheirMessageThenTheirFields) {
  const auto event = Event({{"order_id", 17},
                            {"ok", true},
                            {"share", 0.5},
                            {"note", "two words"},
                            {"empty", ""},
                            {"tags", boost::json::array{"a", 1}},
                            {"nothing", nullptr}});
  EXPECT_EQ(FormatEventLine(event, false),
            "2025-11-21T13:16:40.123Z INFO  merch-api  order.placed      trace=4bf92f35…  "
            R"(order 17 placed order_id=17 ok=true share=0.5 note="two words" empty="" )"
            R"(tags=["a",1] nothing=null)");
}

TEST(EventFormatTest, ShortTraceIdsAndLongNamesAreShownWhole) {
  auto event = Event();
  event["trace_id"] = "t-1";
  event["level"] = "ERROR";
  event["service_name"] = "merch-logging";
  event["event"] = "user.login_failed.extra";
  EXPECT_EQ(FormatEventLine(event, false),
            "2025-11-21T13:16:40.123Z ERROR merch-logging user.login_failed.extra trace=t-1  "
            "order 17 placed");
}

TEST(EventFormatTest, MissingOrMistypedFieldsShowAsDashes) {
  EXPECT_EQ(FormatEventLine({{"message", "hello"}}, false),
            "-                        -     -          -                 trace=-  hello");
  EXPECT_EQ(FormatEventLine({{"level", 3}, {"timestamp", "now"}, {"x", 1}}, false),
            "-                        -     -          -                 trace=-  x=1");
}

TEST(EventFormatTest, ControlCharactersAreEscaped) {
  auto event = Event({{"note", "bell\a"}});
  event["message"] = "line\nbreak \x1b[31mred\t\x7f \xc2\x9b end é";
  EXPECT_EQ(FormatEventLine(event, false),
            "2025-11-21T13:16:40.123Z INFO  merch-api  order.placed      trace=4bf92f35…  "
            R"(line\nbreak \x1b[31mred\t\x7f \u009b end é note="bell\u0007")");
  EXPECT_EQ(FormatNotJsonLine("raw\x1b]0;title\a", false), R"((not JSON) raw\x1b]0;title\x07)");
}

TEST(EventFormatTest, ColourWrapsThePaddedLevel) {
  auto event = Event();
  event["level"] = "WARN";
  const auto line = FormatEventLine(event, true);
  EXPECT_NE(line.find(" \x1b[33mWARN \x1b[0m merch-api "), std::string::npos) << line;
  EXPECT_EQ(FormatEventLine(event, false).find('\x1b'), std::string::npos);
  EXPECT_EQ(FormatNotJsonLine("x", true), "\x1b[1;31m(not JSON)\x1b[0m x");
}

TEST(EventFormatTest, OneLineTurnsLineBreaksIntoSpaces) {
  const std::string pretty = "{\n  \"a\": \"x\\ny\",\r\n  \"b\": 1\n}";
  const auto line = OneLine(pretty);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_EQ(boost::json::parse(line), boost::json::parse(pretty));
}

// --- options -------------------------------------------------------------------------------

Env FakeEnv(std::map<std::string, std::string> values) {
  return Env([values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    const auto found = values.find(std::string(name));
    if (found == values.end()) return std::nullopt;
    return found->second;
  });
}

Result<LogsOptions> Parse(std::vector<std::string> args,
                          std::map<std::string, std::string> env = {}) {
  return ParseLogsOptions(args, FakeEnv(std::move(env)));
}

TEST(LogsOptionsTest, DefaultsFollowNewEventsOnTheLocalBroker) {
  const auto options = Parse({});
  ASSERT_TRUE(options.has_value()) << options.error().detail;
  EXPECT_EQ(options->brokers, "127.0.0.1:9092");
  EXPECT_EQ(options->topic, "log-channel");
  EXPECT_FALSE(options->from_beginning);
  EXPECT_FALSE(options->trace_id);
  EXPECT_FALSE(options->json);
  EXPECT_FALSE(options->hourly_dir);
  EXPECT_FALSE(options->max_events);
  EXPECT_FALSE(options->exit_at_end);
  EXPECT_FALSE(options->help);
}

TEST(LogsOptionsTest, EnvironmentGivesDefaultsAndArgumentsWin) {
  const std::map<std::string, std::string> env = {{"KAFKA_BROKERS", "k1:9092,k2:9092"},
                                                  {"KAFKA_TOPIC", "logs-2"}};
  auto options = Parse({}, env);
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->brokers, "k1:9092,k2:9092");
  EXPECT_EQ(options->topic, "logs-2");
  options = Parse({"--brokers", "b:1", "--topic=t"}, env);
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->brokers, "b:1");
  EXPECT_EQ(options->topic, "t");
  // A bad variable matters only when it is used.
  EXPECT_TRUE(Parse({"--brokers", "b:1"}, {{"KAFKA_BROKERS", ""}}).has_value());
  const auto bad = Parse({}, {{"KAFKA_BROKERS", ""}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().detail, "KAFKA_BROKERS must not be empty");
}

TEST(LogsOptionsTest, EveryOptionIsParsed) {
  const auto options = Parse({"--from-beginning", "--trace-id", "abc", "--json", "--hourly-dir",
                              "/tmp/h", "--max-events=5", "--exit-at-end"});
  ASSERT_TRUE(options.has_value()) << options.error().detail;
  EXPECT_TRUE(options->from_beginning);
  EXPECT_EQ(options->trace_id, "abc");
  EXPECT_TRUE(options->json);
  EXPECT_EQ(options->hourly_dir, "/tmp/h");
  EXPECT_EQ(options->max_events, 5);
  EXPECT_TRUE(options->exit_at_end);
  EXPECT_FALSE(options->dedupe);
  EXPECT_TRUE(Parse({"--dedupe"})->dedupe);
  EXPECT_FALSE(Parse({"--dedupe=yes"}).has_value());
}

TEST(LogsOptionsTest, HelpNeedsNothingElse) {
  for (const char* help : {"--help", "-h"}) {
    const auto options = Parse({"--json", help, "--unknown"}, {{"KAFKA_TOPIC", "bad topic"}});
    ASSERT_TRUE(options.has_value()) << help;
    EXPECT_TRUE(options->help);
  }
}

TEST(LogsOptionsTest, BadArgumentsAreRejectedWithTheReason) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--nope"}, "unknown option '--nope'"},
      {{"-x"}, "unknown option '-x'"},
      {{"extra"}, "unexpected argument 'extra'"},
      {{"--brokers"}, "--brokers needs a value"},
      {{"--brokers="}, "--brokers needs a value"},
      {{"--trace-id", ""}, "--trace-id needs a value"},
      {{"--json=yes"}, "--json takes no value"},
      {{"--max-events", "0"}, "--max-events must be a positive integer, got '0'"},
      {{"--max-events", "-3"}, "--max-events must be a positive integer, got '-3'"},
      {{"--max-events", "5x"}, "--max-events must be a positive integer, got '5x'"},
      {{"--max-events", "99999999999999999999"},
       "--max-events must be a positive integer, got '99999999999999999999'"},
      {{"--topic", "bad topic"}, "the topic must be 1..249 of [A-Za-z0-9._-], got 'bad topic'"},
      {{"--topic", std::string(250, 't')},
       "the topic must be 1..249 of [A-Za-z0-9._-], got '" + std::string(250, 't') + "'"},
  };
  for (const auto& [args, reason] : cases) {
    const auto options = Parse(args);
    ASSERT_FALSE(options.has_value()) << args.front();
    EXPECT_EQ(options.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(options.error().detail, reason);
  }
  EXPECT_NE(kUsage.find("--hourly-dir DIR"), std::string_view::npos);
}

// --- the printer and the hourly files ------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "merch-logs-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;  // a leftover temp folder must not fail the test
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& Path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::vector<std::string> Lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> Lines(const std::ostringstream& out) {
  std::istringstream in(out.str());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

LogsOptions Options(std::vector<std::string> args) {
  auto options = Parse(std::move(args));
  if (!options) throw std::runtime_error(options.error().detail);
  return *options;
}

TEST(EventPrinterTest, ReadableModeShowsEventsAndPayloadsThatAreNotJson) {
  std::ostringstream out;
  EventPrinter printer(Options({}), false, out, nullptr);
  EXPECT_EQ(printer.Handle(boost::json::serialize(Event()), 0).value(), Shown::kYes);
  EXPECT_EQ(printer.Handle("garbage", 0).value(), Shown::kYes);
  EXPECT_EQ(printer.ShownCount(), 2);
  EXPECT_FALSE(printer.Done());
  const auto lines = Lines(out);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0], FormatEventLine(Event(), false));
  EXPECT_EQ(lines[1], "(not JSON) garbage");
}

TEST(EventPrinterTest, JsonModePrintsThePayloadOnOneLineAndSkipsWhatIsNotJson) {
  std::ostringstream out;
  EventPrinter printer(Options({"--json"}), false, out, nullptr);
  const std::string payload = R"({"event":"x",)"
                              "\n"
                              R"("latency_ms":0.5})";
  EXPECT_EQ(printer.Handle(payload, 0).value(), Shown::kYes);
  EXPECT_EQ(printer.Handle("garbage", 0).value(), Shown::kNotJson);
  EXPECT_EQ(printer.ShownCount(), 1);
  const auto lines = Lines(out);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0], R"({"event":"x", "latency_ms":0.5})");  // the producer's text, kept
}

TEST(EventPrinterTest, TraceFilterKeepsOnlyThatTraceAndCountsOnlyWhatIsShown) {
  std::ostringstream out;
  EventPrinter printer(Options({"--trace-id", "4bf92f35", "--max-events", "2"}), false, out,
                       nullptr);
  auto other = Event();
  other["trace_id"] = "other";
  EXPECT_EQ(printer.Handle(boost::json::serialize(other), 0).value(), Shown::kFilteredOut);
  EXPECT_EQ(printer.Handle("garbage", 0).value(), Shown::kFilteredOut);
  EXPECT_EQ(printer.Handle(boost::json::serialize(Event()), 0).value(), Shown::kYes);
  EXPECT_FALSE(printer.Done());
  EXPECT_EQ(printer.Handle(boost::json::serialize(Access()), 0).value(), Shown::kYes);
  EXPECT_TRUE(printer.Done());
  EXPECT_EQ(Lines(out).size(), 2U);
}

TEST(RecentIdsTest, RemembersTheLastCapacityIdsOnly) {
  RecentIds recent(3);
  EXPECT_TRUE(recent.Insert("a"));
  EXPECT_FALSE(recent.Insert("a"));
  EXPECT_TRUE(recent.Insert("b"));
  EXPECT_TRUE(recent.Insert("c"));
  EXPECT_FALSE(recent.Insert("a"));
  EXPECT_TRUE(recent.Insert("d"));  // "a", the oldest, leaves the window
  EXPECT_TRUE(recent.Insert("a"));
  EXPECT_FALSE(recent.Insert("c"));
  EXPECT_FALSE(recent.Insert("d"));
  for (int i = 0; i < 100000; ++i) recent.Insert("id-" + std::to_string(i));
  EXPECT_FALSE(recent.Insert("id-99999"));
  EXPECT_TRUE(recent.Insert("id-0"));
}

TEST(EventPrinterTest, DedupeDropsARepeatedEventIdAndOnlyThat) {
  std::ostringstream out;
  EventPrinter printer(Options({"--dedupe", "--json"}), false, out, nullptr);
  auto first = Event();
  first["event_id"] = "e-1";
  auto second = Event();
  second["event_id"] = "e-2";
  auto no_id = Event();
  no_id.erase("event_id");
  EXPECT_EQ(printer.Handle(boost::json::serialize(first), 0).value(), Shown::kYes);
  EXPECT_EQ(printer.Handle(boost::json::serialize(second), 0).value(), Shown::kYes);
  EXPECT_EQ(printer.Handle(boost::json::serialize(first), 0).value(), Shown::kDuplicate);
  EXPECT_EQ(printer.Handle(boost::json::serialize(no_id), 0).value(), Shown::kYes);
  EXPECT_EQ(printer.Handle(boost::json::serialize(no_id), 0).value(), Shown::kYes);
  EXPECT_EQ(Lines(out).size(), 4U);

  // Without --dedupe every copy is shown.
  std::ostringstream all;
  EventPrinter plain(Options({"--json"}), false, all, nullptr);
  EXPECT_EQ(plain.Handle(boost::json::serialize(first), 0).value(), Shown::kYes);
  EXPECT_EQ(plain.Handle(boost::json::serialize(first), 0).value(), Shown::kYes);
}

TEST(EventPrinterTest, HourlyFilesHoldEachShownEventUnderItsHour) {
  TempDir temp;
  const auto dir = temp.Path() / "archive" / "nested";  // created on demand
  auto archive = HourlyArchive::Open(dir, "log-channel");
  ASSERT_TRUE(archive.has_value()) << archive.error().detail;
  std::ostringstream out;
  EventPrinter printer(Options({"--trace-id", "4bf92f35"}), false, out, &*archive);

  const auto first = boost::json::serialize(Event());
  auto next_hour = Event();
  next_hour["timestamp"] = 1763733600000;  // 14:00:00.000
  next_hour["event_id"] = "e-2";
  auto undated = Event();
  undated.erase("timestamp");
  undated["event_id"] = "e-3";
  auto other_trace = Event();
  other_trace["trace_id"] = "other";

  ASSERT_TRUE(printer.Handle(first, 0).has_value());
  ASSERT_TRUE(printer.Handle(boost::json::serialize(next_hour), 0).has_value());
  ASSERT_TRUE(printer.Handle(boost::json::serialize(other_trace), 0).has_value());
  ASSERT_TRUE(printer.Handle("garbage", 0).has_value());
  // No timestamp of its own: filed under the record's time.
  ASSERT_TRUE(printer.Handle(boost::json::serialize(undated), 1763733700000).has_value());
  ASSERT_TRUE(printer.Handle(first, 0).has_value());  // a redelivery is kept, as Kafka has it

  EXPECT_EQ(Lines(dir / "log-channel-2025-11-21-13.jsonl"),
            (std::vector<std::string>{first, first}));
  EXPECT_EQ(Lines(dir / "log-channel-2025-11-21-14.jsonl"),
            (std::vector<std::string>{boost::json::serialize(next_hour),
                                      boost::json::serialize(undated)}));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            2);
}

TEST(EventPrinterTest, HourlyFilesAreAppendedToAcrossRuns) {
  TempDir temp;
  for (int run = 0; run < 2; ++run) {
    auto archive = HourlyArchive::Open(temp.Path(), "t");
    ASSERT_TRUE(archive.has_value());
    ASSERT_TRUE(archive->Append(kTime, "{\"run\":" + std::to_string(run) + "}").has_value());
  }
  EXPECT_EQ(Lines(temp.Path() / "t-2025-11-21-13.jsonl"),
            (std::vector<std::string>{R"({"run":0})", R"({"run":1})"}));
}

TEST(EventPrinterTest, AnArchiveFolderThatCannotBeMadeIsAnError) {
  TempDir temp;
  const auto file = temp.Path() / "a-file";
  std::ofstream(file) << "x";
  auto archive = HourlyArchive::Open(file, "log-channel");
  ASSERT_FALSE(archive.has_value());
  EXPECT_EQ(archive.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(archive.error().detail.find(file.string()), std::string::npos);
  EXPECT_FALSE(HourlyArchive::Open(file / "below", "log-channel").has_value());
}

}  // namespace
}  // namespace merch::logs
