#include "merch/common/strict_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace merch {
namespace {

constexpr std::size_t kMaxDepth = 32;

// A basic_parser handler that builds nothing and only checks keys: one set of seen keys per
// open object.
// NOLINTBEGIN(readability-identifier-naming): the names boost::json::basic_parser calls.
struct DuplicateKeyCheck {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::vector<std::set<std::string>> objects;
  std::string key;  // the key being read, across parts
  bool duplicate = false;
  bool out_of_range = false;
  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    objects.pop_back();
    return true;
  }
  bool on_string_part(boost::json::string_view, std::size_t, boost::system::error_code&) {
    return true;
  }
  bool on_string(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(boost::json::string_view part, std::size_t, boost::system::error_code&) {
    key.append(part.data(), part.size());
    return true;
  }
  bool on_key(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
    key.append(part.data(), part.size());
    const bool inserted = objects.back().insert(std::move(key)).second;
    key.clear();
    if (!inserted) {
      duplicate = true;
      ec = boost::json::error::syntax;
      return false;
    }
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(std::uint64_t, boost::json::string_view, boost::system::error_code&) {
    return true;
  }
  // Boost.JSON 1.81 reads a number beyond the range of double (1e999) as infinity and writes it
  // back as `Infinity`, which is not JSON: refuse it.
  bool on_double(double value, boost::json::string_view, boost::system::error_code& ec) {
    if (std::isfinite(value)) return true;
    out_of_range = true;
    ec = boost::json::error::exponent_overflow;
    return false;
  }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }
};
// NOLINTEND(readability-identifier-naming)

}  // namespace

Result<boost::json::value> ParseStrictJson(std::string_view text) {
  boost::json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::json::basic_parser<DuplicateKeyCheck> checker{options};
  boost::system::error_code ec;
  const std::size_t used = checker.write_some(false, text.data(), text.size(), ec);
  if (checker.handler().duplicate) {
    return Error{ErrorCode::kInvalidArgument, "the JSON body repeats a key"};
  }
  if (checker.handler().out_of_range) {
    return Error{ErrorCode::kInvalidArgument, "the JSON body has a number out of range"};
  }
  if (ec == boost::json::error::too_deep) {
    return Error{ErrorCode::kInvalidArgument, "the JSON body is nested too deeply"};
  }
  if (ec || used != text.size()) {
    return Error{ErrorCode::kInvalidArgument, "the body is not valid JSON"};
  }
  boost::json::value value = boost::json::parse(text, ec, {}, options);
  if (ec) return Error{ErrorCode::kInvalidArgument, "the body is not valid JSON"};
  return value;
}

}  // namespace merch
