#include "compare.hpp"

#include <google/protobuf/util/json_util.h>

#include <array>
#include <cstdio>

#include "events/log_event.hpp"

namespace merch::proto_inspect {

merch::v1::LogMessage SampleLogMessage() {
  merch::v1::LogMessage message;
  message.set_level(merch::v1::INFO);
  message.set_service_name("api");
  message.set_message("GET /products/1 200");
  message.set_timestamp(1763740800123);
  message.set_trace_id("17d69fcd3e28880e84f242f9ede2bfb9");
  message.set_event("http.access");
  message.set_event_id("api-1-000000000042");
  message.set_attributes_json(
      R"({"method":"GET","path":"/products/1","status":200,"latency_ms":1.84})");
  return message;
}

Result<SizeComparison> CompareSizes(const merch::v1::LogMessage& message) {
  auto rendered = merch::logging::RenderEvent(message);
  if (!rendered) return rendered.error();
  std::string proto3_json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(message, &proto3_json, options).ok()) {
    return Error{ErrorCode::kInvalidArgument, "the message has no JSON mapping"};
  }
  SizeComparison sizes;
  sizes.protobuf_bytes = message.ByteSizeLong();
  sizes.published_json_bytes = rendered->json.size();
  sizes.proto3_json_bytes = proto3_json.size();
  sizes.published_json = std::move(rendered->json);
  return sizes;
}

std::string FormatComparison(const SizeComparison& sizes) {
  const auto ratio = [&](std::size_t bytes) {
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.2fx",
                  sizes.protobuf_bytes == 0
                      ? 0.0
                      : static_cast<double>(bytes) / static_cast<double>(sizes.protobuf_bytes));
    return std::string(text.data());
  };
  std::array<char, 512> lines{};
  std::snprintf(lines.data(), lines.size(),
                "protobuf (wire format, StreamLogs)      %6zu bytes  1.00x\n"
                "JSON as published to Kafka             %6zu bytes  %s\n"
                "protobuf's JSON mapping (proto3)       %6zu bytes  %s\n",
                sizes.protobuf_bytes, sizes.published_json_bytes,
                ratio(sizes.published_json_bytes).c_str(), sizes.proto3_json_bytes,
                ratio(sizes.proto3_json_bytes).c_str());
  return std::string(lines.data()) + "published JSON: " + sizes.published_json + "\n";
}

}  // namespace merch::proto_inspect
