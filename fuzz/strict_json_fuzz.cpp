// merch::ParseStrictJson (libs/common) on any bytes: every request body goes through it first.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "merch/common/strict_json.hpp"

namespace {

// Boost.JSON 1.81 reads some long decimals to a double one bit off (it is not correctly
// rounded), so a document with a double may read back slightly differently once written.
bool HasDouble(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::double_:
      return true;
    case boost::json::kind::array:
      for (const auto& item : value.get_array()) {
        if (HasDouble(item)) return true;
      }
      return false;
    case boost::json::kind::object:
      for (const auto& member : value.get_object()) {
        if (HasDouble(member.value())) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using merch::fuzz::Require;
  const auto text = merch::fuzz::AsText(data, size);
  const auto strict = merch::ParseStrictJson(text);
  if (!strict) {
    Require(strict.error().code == merch::ErrorCode::kInvalidArgument,
            "a refused document is kInvalidArgument");
    Require(!strict.error().detail.empty(), "a refusal says why");
    return 0;
  }
  // Stricter than Boost.JSON, never looser: what it accepts, Boost.JSON reads the same way.
  boost::system::error_code error;
  const auto loose = boost::json::parse(text, error);
  Require(!error, "an accepted document is JSON");
  const auto written = boost::json::serialize(*strict);
  Require(written == boost::json::serialize(loose), "strict and Boost.JSON agree");
  // What we write of an accepted document is accepted again, unchanged.
  const auto again = merch::ParseStrictJson(written);
  Require(again.has_value(), "a written document is accepted again");
  if (!HasDouble(*strict)) {
    Require(boost::json::serialize(*again) == written, "writing is stable");
  }
  return 0;
}
