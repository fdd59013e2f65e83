#include "wire.hpp"

#include <string>

namespace merch::proto_inspect {
namespace {

Error Malformed(std::size_t offset, const std::string& what) {
  return {ErrorCode::kInvalidArgument,
          "malformed input at byte " + std::to_string(offset) + ": " + what};
}

// Reads fields from `offset` until the input ends or, inside a group, until its end-group tag
// with `group_number` (then `offset` is just past that tag).
Result<std::vector<WireField>> ParseUntil(std::string_view input, std::size_t& offset,
                                          std::size_t base_offset, int depth,
                                          std::uint32_t group_number) {
  if (depth > kMaxDepth) {
    return Malformed(base_offset + offset, "nested deeper than " + std::to_string(kMaxDepth));
  }
  std::vector<WireField> fields;
  while (offset < input.size()) {
    WireField field;
    field.offset = base_offset + offset;
    auto tag = ReadVarint(input, offset, base_offset);
    if (!tag) return tag.error();
    const std::uint64_t wire_type = *tag & 7;
    const std::uint64_t number = *tag >> 3;
    if (wire_type > 5) {
      return Malformed(field.offset, "wire type " + std::to_string(wire_type) + " does not exist");
    }
    if (number == 0 || number > kMaxFieldNumber) {
      return Malformed(field.offset, "field number " + std::to_string(number) + " is out of range");
    }
    field.number = static_cast<std::uint32_t>(number);
    field.type = static_cast<WireType>(wire_type);
    switch (field.type) {
      case WireType::kVarint: {
        auto value = ReadVarint(input, offset, base_offset);
        if (!value) return value.error();
        field.value = *value;
        break;
      }
      case WireType::kI64:
      case WireType::kI32: {
        const std::size_t width = field.type == WireType::kI64 ? 8 : 4;
        if (input.size() - offset < width) {
          return Malformed(base_offset + offset,
                           "a " + std::to_string(width * 8) + "-bit value needs " +
                               std::to_string(width) + " bytes, " +
                               std::to_string(input.size() - offset) + " left");
        }
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < width; ++i) {
          value |= std::uint64_t{static_cast<unsigned char>(input[offset + i])} << (8 * i);
        }
        field.value = value;
        offset += width;
        break;
      }
      case WireType::kLen: {
        const std::size_t length_offset = offset;
        auto length = ReadVarint(input, offset, base_offset);
        if (!length) return length.error();
        if (*length > input.size() - offset) {
          return Malformed(base_offset + length_offset,
                           "length " + std::to_string(*length) + " runs past the end (" +
                               std::to_string(input.size() - offset) + " bytes left)");
        }
        field.bytes_offset = base_offset + offset;
        field.bytes = input.substr(offset, static_cast<std::size_t>(*length));
        offset += static_cast<std::size_t>(*length);
        break;
      }
      case WireType::kStartGroup: {
        auto group = ParseUntil(input, offset, base_offset, depth + 1, field.number);
        if (!group) return group.error();
        field.group = std::move(*group);
        break;
      }
      case WireType::kEndGroup:
        if (group_number != field.number) {
          return Malformed(
              field.offset,
              "end of group " + std::to_string(field.number) +
                  (group_number == 0 ? " outside any group"
                                     : " inside group " + std::to_string(group_number)));
        }
        return fields;
    }
    fields.push_back(std::move(field));
  }
  if (group_number != 0) {
    return Malformed(base_offset + offset,
                     "group " + std::to_string(group_number) + " is not closed");
  }
  return fields;
}

}  // namespace

std::string_view WireTypeName(WireType type) {
  switch (type) {
    case WireType::kVarint:
      return "varint";
    case WireType::kI64:
      return "i64";
    case WireType::kLen:
      return "len";
    case WireType::kStartGroup:
      return "sgroup";
    case WireType::kEndGroup:
      return "egroup";
    case WireType::kI32:
      return "i32";
  }
  return "?";
}

Result<std::uint64_t> ReadVarint(std::string_view input, std::size_t& offset,
                                 std::size_t base_offset) {
  const std::size_t start = base_offset + offset;
  std::uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (offset >= input.size()) {
      return Malformed(start, "varint is cut off by the end of the input");
    }
    const auto byte = static_cast<unsigned char>(input[offset++]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) return Malformed(start, "varint is longer than 64 bits");
    value |= std::uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80u) == 0) return value;
  }
  return Malformed(start, "varint is longer than 10 bytes");
}

Result<std::vector<WireField>> ParseFields(std::string_view input, std::size_t base_offset,
                                           int depth) {
  std::size_t offset = 0;
  return ParseUntil(input, offset, base_offset, depth, 0);
}

}  // namespace merch::proto_inspect
