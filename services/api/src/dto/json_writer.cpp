#include "dto/json_writer.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

namespace merch::api {

std::string JsonString(std::string_view value) {
  return boost::json::serialize(boost::json::string_view(value.data(), value.size()));
}

void JsonObjectWriter::Name(std::string_view name) {
  if (text_.size() > 1) text_ += ',';
  text_ += JsonString(name);
  text_ += ':';
}

JsonObjectWriter& JsonObjectWriter::Int(std::string_view name, std::int64_t value) {
  Name(name);
  text_ += std::to_string(value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::String(std::string_view name, std::string_view value) {
  Name(name);
  text_ += JsonString(value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Bool(std::string_view name, bool value) {
  Name(name);
  text_ += value ? "true" : "false";
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Raw(std::string_view name, std::string_view json) {
  Name(name);
  text_ += json;
  return *this;
}

std::string JsonObjectWriter::Finish() {
  text_ += '}';
  return std::move(text_);
}

}  // namespace merch::api
