#include "merch/logship/trace_context.hpp"

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>

namespace merch::logship {
namespace {

thread_local const std::string* current_trace_id = nullptr;

}  // namespace

bool IsValidTraceId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._~:+=@/-").find(c) != std::string_view::npos;
  });
}

std::string NewTraceId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string id(32, '0');
  for (std::size_t i = 0; i < id.size(); i += 16) {
    std::uint64_t bits = generator();
    for (std::size_t j = 0; j < 16; ++j, bits >>= 4) id[i + j] = kHex[bits & 0xF];
  }
  return id;
}

TraceScope::TraceScope(std::string trace_id)
    : trace_id_(std::move(trace_id)), previous_(current_trace_id) {
  current_trace_id = &trace_id_;
}

TraceScope::~TraceScope() { current_trace_id = previous_; }

const std::string* CurrentTraceId() { return current_trace_id; }

}  // namespace merch::logship
