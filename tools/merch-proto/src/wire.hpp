#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "merch/common/error.hpp"

// The protobuf wire format (https://protobuf.dev/programming-guides/encoding/), read without a
// schema. Every read is bounds-checked: malformed input is an Error naming the byte offset,
// never undefined behaviour (the parser is fuzzed: fuzz/proto_decode_fuzz.cpp).
namespace merch::proto_inspect {

enum class WireType : std::uint8_t {
  kVarint = 0,
  kI64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kI32 = 5,
};

std::string_view WireTypeName(WireType type);

// The largest field number protobuf allows (2^29 - 1).
inline constexpr std::uint32_t kMaxFieldNumber = (1u << 29) - 1;
// Groups nest no deeper than this (the decoder's own limit for nested messages is the same).
inline constexpr int kMaxDepth = 64;

// One field as it is on the wire. Offsets are from the start of the input that was parsed.
struct WireField {
  std::uint32_t number = 0;
  WireType type = WireType::kVarint;
  std::size_t offset = 0;        // of the tag
  std::uint64_t value = 0;       // kVarint, kI64, kI32: the raw bits
  std::string_view bytes;        // kLen: the payload (a view into the parsed input)
  std::size_t bytes_offset = 0;  // kLen: where the payload starts
  std::vector<WireField> group;  // kStartGroup: the fields up to the matching end group
};

// Reads a base-128 varint at `offset` and advances it; at most 10 bytes. `base_offset` is
// added to the offset an error reports.
Result<std::uint64_t> ReadVarint(std::string_view input, std::size_t& offset,
                                 std::size_t base_offset = 0);

// Every field of `input`, a whole message. `base_offset` is added to reported offsets (for
// nested messages); `depth` counts enclosing groups and messages.
Result<std::vector<WireField>> ParseFields(std::string_view input, std::size_t base_offset = 0,
                                           int depth = 0);

}  // namespace merch::proto_inspect
