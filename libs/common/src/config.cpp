#include "merch/common/config.hpp"

#include <charconv>
#include <cstdlib>
#include <utility>

namespace merch {

Env::Env(Lookup lookup) : lookup_(std::move(lookup)) {}

Env Env::FromProcess() {
  return Env([](std::string_view name) -> std::optional<std::string> {
    // getenv is called only here, from main's thread, before any other thread starts.
    const char* value = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

std::optional<std::string> Env::Get(std::string_view name) const { return lookup_(name); }

Result<std::string> Env::String(std::string_view name, std::string_view default_value) const {
  auto value = Get(name);
  if (!value) return std::string(default_value);
  if (value->empty()) {
    return Error{ErrorCode::kInvalidArgument, std::string(name) + " must not be empty"};
  }
  return *value;
}

Result<std::string> Env::RequiredString(std::string_view name) const {
  auto value = Get(name);
  if (!value || value->empty()) {
    return Error{ErrorCode::kInvalidArgument, std::string(name) + " must be set"};
  }
  return *value;
}

Result<std::int64_t> Env::Integer(std::string_view name, std::int64_t default_value,
                                  std::int64_t min, std::int64_t max) const {
  auto value = Get(name);
  if (!value) return default_value;
  std::int64_t parsed = 0;
  const char* begin = value->data();
  const char* end = begin + value->size();
  auto [ptr, ec] = std::from_chars(begin, end, parsed);
  if (value->empty() || ec != std::errc{} || ptr != end || parsed < min || parsed > max) {
    return Error{ErrorCode::kInvalidArgument, std::string(name) + " must be an integer in " +
                                                  std::to_string(min) + ".." + std::to_string(max) +
                                                  ", got '" + *value + "'"};
  }
  return parsed;
}

Result<std::uint16_t> Env::Port(std::string_view name, std::uint16_t default_value) const {
  auto port = Integer(name, default_value, 1, 65535);
  if (!port) return port.error();
  return static_cast<std::uint16_t>(*port);
}

}  // namespace merch
