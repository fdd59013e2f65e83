// X-Request-Id and traceparent (services/api/src/http/trace.hpp) on any header value.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/trace.hpp"

namespace {

bool IsRequestIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._~:+=@/-").find(c) != std::string_view::npos;
}

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using merch::fuzz::Require;
  const auto header = merch::fuzz::AsText(data, size);

  // README "Calling the API": a client's id is echoed when it matches
  // ^[A-Za-z0-9._~:+=@/-]{1,128}$, and only then.
  const bool matches = !header.empty() && header.size() <= 128 &&
                       std::all_of(header.begin(), header.end(), IsRequestIdChar);
  const auto request_id = merch::api::ValidRequestId(header);
  Require(request_id.has_value() == matches, "X-Request-Id accepted iff it matches the pattern");
  if (request_id) Require(*request_id == header, "an accepted X-Request-Id is kept as sent");

  const auto trace_id = merch::api::TraceIdFromTraceparent(header);
  if (trace_id) {
    Require(trace_id->size() == 32 && IsLowerHex(*trace_id), "a trace id is 32 lowercase hex");
    Require(*trace_id != std::string(32, '0'), "a trace id is not all zeros");
    Require(header.substr(3, 32) == *trace_id, "the trace id is the header's second field");
    Require(header.starts_with("00-") ? header.size() == 55 : header.size() >= 55,
            "version 00 has exactly four fields");
  }
  return 0;
}
