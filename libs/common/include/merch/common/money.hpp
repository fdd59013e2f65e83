#pragma once

#include <cstdint>
#include <string>

namespace merch {

// Renders integer cents as a decimal with exactly two fraction digits ("149.97", "10.00",
// "-0.05"); no floating point is involved.
std::string FormatCents(std::int64_t cents);

}  // namespace merch
