// merch-logs' reading of a Kafka payload (services/logging/src/consumer/event_format.hpp):
// anyone who can write to the topic chooses these bytes, and the line goes to a terminal.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "consumer/event_format.hpp"
#include "fuzz_check.hpp"

namespace {

using merch::fuzz::Require;

// No C0 control, DEL or C1 control (as UTF-8) that a terminal would act on.
bool IsInert(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto byte = static_cast<unsigned char>(line[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    if (byte == 0xC2 && i + 1 < line.size()) {
      const auto next = static_cast<unsigned char>(line[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace logs = merch::logs;
  const auto payload = merch::fuzz::AsText(data, size);

  const auto event = logs::ParseEvent(payload);
  if (event) {
    Require(IsInert(logs::FormatEventLine(*event, false)), "an event line is inert");
    (void)logs::FormatEventLine(*event, true);
    if (const auto timestamp = logs::EventTimestamp(*event)) {
      Require(*timestamp >= logs::kMinTimestamp && *timestamp <= logs::kMaxTimestamp,
              "a timestamp is in range");
      Require(logs::FormatUtcTime(*timestamp).size() == 24, "a time has 24 characters");
      Require(logs::HourlyFileName("log-channel", *timestamp).size() ==
                  std::string_view("log-channel-YYYY-MM-DD-HH.jsonl").size(),
              "an hourly file name has its shape");
    }
    (void)logs::InTrace(*event, payload.substr(0, 8));
  } else {
    Require(IsInert(logs::FormatNotJsonLine(payload, false)), "a not-JSON line is inert");
  }

  // A JSON payload written on one line is the same JSON.
  boost::system::error_code error;
  const auto value = boost::json::parse(payload, error);
  if (!error) {
    const auto line = logs::OneLine(payload);
    Require(line.find_first_of("\r\n") == std::string::npos, "one line");
    const auto again = boost::json::parse(line, error);
    Require(!error && boost::json::serialize(again) == boost::json::serialize(value),
            "the same JSON");
  }
  return 0;
}
