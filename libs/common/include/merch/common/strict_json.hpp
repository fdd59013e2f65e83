#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "merch/common/error.hpp"

namespace merch {

// Parses one JSON document, refusing what Boost.JSON would silently accept: a key repeated in
// an object (Boost keeps one of them), nesting deeper than 32, and anything after the value.
// Invalid UTF-8 and numbers beyond the range of a double (which Boost.JSON would read as infinity
// and write as `Infinity`, not JSON) are refused too. kInvalidArgument with a client-safe reason
// otherwise.
Result<boost::json::value> ParseStrictJson(std::string_view text);

}  // namespace merch
