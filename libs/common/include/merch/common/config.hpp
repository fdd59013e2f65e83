#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "merch/common/error.hpp"

namespace merch {

// Typed, validated access to configuration variables. Only `main` builds one (from the
// process environment); tests build one from a map. A bad value is an Error whose detail
// names the variable, so the process can stop with a message that says what to fix.
class Env {
 public:
  using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

  explicit Env(Lookup lookup);
  static Env FromProcess();

  // A non-empty string, or the default when unset.
  Result<std::string> String(std::string_view name, std::string_view default_value) const;
  // A required non-empty string.
  Result<std::string> RequiredString(std::string_view name) const;
  // A decimal integer in [min, max], or the default when unset.
  Result<std::int64_t> Integer(std::string_view name, std::int64_t default_value, std::int64_t min,
                               std::int64_t max) const;
  // A TCP port, 1..65535.
  Result<std::uint16_t> Port(std::string_view name, std::uint16_t default_value) const;

 private:
  std::optional<std::string> Get(std::string_view name) const;

  Lookup lookup_;
};

}  // namespace merch
