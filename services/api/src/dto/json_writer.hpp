#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace merch::api {

// Writes one JSON object field by field, in the order given, so that a response's bytes are
// fully determined by its values (idempotent replays are byte for byte). Money and other
// pre-rendered JSON go in through Raw, so no floating point is ever involved.
class JsonObjectWriter {
 public:
  JsonObjectWriter& Int(std::string_view name, std::int64_t value);
  JsonObjectWriter& String(std::string_view name, std::string_view value);
  JsonObjectWriter& Bool(std::string_view name, bool value);
  // `json` must already be valid JSON (a number, null, an object, an array).
  JsonObjectWriter& Raw(std::string_view name, std::string_view json);
  std::string Finish();

 private:
  void Name(std::string_view name);

  std::string text_ = "{";
};

// A JSON string literal (quoted and escaped).
std::string JsonString(std::string_view value);

}  // namespace merch::api
