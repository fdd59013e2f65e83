// libFuzzer entry point for merch-proto's decoder (tools/merch-proto): untrusted bytes, decoded
// without a type and as each merch.v1 type, must give text or a clear error, never a crash,
// a hang or a sanitizer report. Seeds: fuzz/corpus/proto_decode/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const google::protobuf::Descriptor* const log_message_type =
      merch::proto_inspect::FindKnownType("merch.v1.LogMessage");
  static const google::protobuf::Descriptor* const user_type =
      merch::proto_inspect::FindKnownType("merch.v1.User");
  for (const auto* type :
       {static_cast<const google::protobuf::Descriptor*>(nullptr), log_message_type, user_type}) {
    auto text = merch::proto_inspect::Decode(input, type);
    // An error always says where the input went wrong.
    if (!text && text.error().detail.rfind("malformed input at byte ", 0) != 0) __builtin_trap();
  }
  return 0;
}
