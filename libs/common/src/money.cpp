#include "merch/common/money.hpp"

namespace merch {

std::string FormatCents(std::int64_t cents) {
  const bool negative = cents < 0;
  // Work in unsigned arithmetic so that INT64_MIN has a magnitude.
  const std::uint64_t magnitude =
      negative ? ~static_cast<std::uint64_t>(cents) + 1 : static_cast<std::uint64_t>(cents);
  const std::uint64_t fraction = magnitude % 100;
  std::string text = negative ? "-" : "";
  text += std::to_string(magnitude / 100);
  text += '.';
  text += static_cast<char>('0' + fraction / 10);
  text += static_cast<char>('0' + fraction % 10);
  return text;
}

}  // namespace merch
