#include "http/trace.hpp"

#include <algorithm>
#include <random>

namespace merch::api {
namespace {

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsAllZeros(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

}  // namespace

std::optional<std::string> ValidRequestId(std::string_view header) {
  if (header.empty() || header.size() > 128) return std::nullopt;
  const bool valid = std::all_of(header.begin(), header.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._~:+=@/-").find(c) != std::string_view::npos;
  });
  if (!valid) return std::nullopt;
  return std::string(header);
}

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string id(32, '0');
  for (std::size_t i = 0; i < id.size(); i += 16) {
    std::uint64_t bits = generator();
    for (std::size_t j = 0; j < 16; ++j, bits >>= 4) id[i + j] = kHex[bits & 0xF];
  }
  return id;
}

std::optional<std::string> TraceIdFromTraceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" flags; version 00 has exactly these four fields.
  if (header.size() < 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') {
    return std::nullopt;
  }
  const auto version = header.substr(0, 2);
  const auto trace_id = header.substr(3, 32);
  const auto parent_id = header.substr(36, 16);
  const auto flags = header.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff" || !IsLowerHex(trace_id) || IsAllZeros(trace_id) ||
      !IsLowerHex(parent_id) || IsAllZeros(parent_id) || !IsLowerHex(flags)) {
    return std::nullopt;
  }
  if (version == "00" ? header.size() != 55 : (header.size() > 55 && header[55] != '-')) {
    return std::nullopt;
  }
  return std::string(trace_id);
}

}  // namespace merch::api
