#include "decode.hpp"

#include <google/protobuf/descriptor.pb.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <string>

#include "merch/v1/db.pb.h"
#include "merch/v1/logging.pb.h"
#include "wire.hpp"

namespace merch::proto_inspect {
namespace {

namespace pb = google::protobuf;

constexpr std::size_t kMaxBytesShown = 64;

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      extra = 1;
      code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::array<std::uint32_t, 4> kMinimum = {0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

// Text that reads as text: valid UTF-8 without control characters other than tab and newline.
bool IsPrintable(std::string_view text) {
  if (!IsValidUtf8(text)) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n' && c != '\t' && c != '\r') || u == 0x7f;
  });
}

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
          std::array<char, 5> escaped{};
          std::snprintf(escaped.data(), escaped.size(), "\\x%02x", u);
          out += escaped.data();
        } else {
          out += c;
        }
      }
    }
  }
  return out + "\"";
}

std::string Hex(std::string_view bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  const std::size_t shown = std::min(bytes.size(), kMaxBytesShown);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto u = static_cast<unsigned char>(bytes[i]);
    if (i > 0) out += ' ';
    out += kDigits[u >> 4];
    out += kDigits[u & 15];
  }
  if (shown < bytes.size()) out += " ... (" + std::to_string(bytes.size() - shown) + " more)";
  return out.empty() ? "(empty)" : "bytes " + out;
}

std::string Number(double value) {
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "%.17g", value);
  return text.data();
}

std::int64_t ZigZag(std::uint64_t value) {
  return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

// The wire type a field of this type arrives with when not packed.
WireType ExpectedWireType(const pb::FieldDescriptor& field) {
  switch (field.type()) {
    case pb::FieldDescriptor::TYPE_DOUBLE:
    case pb::FieldDescriptor::TYPE_FIXED64:
    case pb::FieldDescriptor::TYPE_SFIXED64:
      return WireType::kI64;
    case pb::FieldDescriptor::TYPE_FLOAT:
    case pb::FieldDescriptor::TYPE_FIXED32:
    case pb::FieldDescriptor::TYPE_SFIXED32:
      return WireType::kI32;
    case pb::FieldDescriptor::TYPE_STRING:
    case pb::FieldDescriptor::TYPE_BYTES:
    case pb::FieldDescriptor::TYPE_MESSAGE:
      return WireType::kLen;
    case pb::FieldDescriptor::TYPE_GROUP:
      return WireType::kStartGroup;
    default:
      return WireType::kVarint;
  }
}

// A scalar's value, typed by its descriptor (the wire type matches the field's).
std::string TypedScalar(const pb::FieldDescriptor& field, std::uint64_t raw) {
  switch (field.type()) {
    case pb::FieldDescriptor::TYPE_INT32:
      return std::to_string(static_cast<std::int32_t>(raw));
    case pb::FieldDescriptor::TYPE_INT64:
      return std::to_string(static_cast<std::int64_t>(raw));
    case pb::FieldDescriptor::TYPE_UINT32:
      return std::to_string(static_cast<std::uint32_t>(raw));
    case pb::FieldDescriptor::TYPE_UINT64:
      return std::to_string(raw);
    case pb::FieldDescriptor::TYPE_SINT32:
      return std::to_string(static_cast<std::int32_t>(ZigZag(raw)));
    case pb::FieldDescriptor::TYPE_SINT64:
      return std::to_string(ZigZag(raw));
    case pb::FieldDescriptor::TYPE_BOOL:
      return raw == 0 ? "false" : "true";
    case pb::FieldDescriptor::TYPE_ENUM: {
      const auto number = static_cast<std::int32_t>(raw);
      const auto* value = field.enum_type()->FindValueByNumber(number);
      return (value != nullptr ? value->name() : "(unknown enum value)") + " (" +
             std::to_string(number) + ")";
    }
    case pb::FieldDescriptor::TYPE_DOUBLE:
      return Number(std::bit_cast<double>(raw));
    case pb::FieldDescriptor::TYPE_FIXED64:
      return std::to_string(raw);
    case pb::FieldDescriptor::TYPE_SFIXED64:
      return std::to_string(static_cast<std::int64_t>(raw));
    case pb::FieldDescriptor::TYPE_FLOAT:
      return Number(std::bit_cast<float>(static_cast<std::uint32_t>(raw)));
    case pb::FieldDescriptor::TYPE_FIXED32:
      return std::to_string(static_cast<std::uint32_t>(raw));
    case pb::FieldDescriptor::TYPE_SFIXED32:
      return std::to_string(static_cast<std::int32_t>(raw));
    default:
      return std::to_string(raw);
  }
}

// A scalar without a type: what each reading of the bits would be.
std::string UntypedScalar(WireType type, std::uint64_t raw) {
  switch (type) {
    case WireType::kVarint: {
      std::string text = std::to_string(raw);
      if (static_cast<std::int64_t>(raw) < 0) {
        text += " (int64 " + std::to_string(static_cast<std::int64_t>(raw)) + ")";
      }
      if (raw != 0) text += " (sint " + std::to_string(ZigZag(raw)) + ")";
      return text;
    }
    case WireType::kI64:
      return std::to_string(raw) + " (double " + Number(std::bit_cast<double>(raw)) + ")";
    case WireType::kI32:
      return std::to_string(raw) + " (float " +
             Number(std::bit_cast<float>(static_cast<std::uint32_t>(raw))) + ")";
    default:
      return std::to_string(raw);
  }
}

class Printer {
 public:
  Result<void> Message(std::string_view input, std::size_t base_offset, int depth,
                       const pb::Descriptor* type) {
    auto fields = ParseFields(input, base_offset, depth);
    if (!fields) return fields.error();
    return Fields(*fields, depth, type);
  }

  std::string Take() { return std::move(out_); }

 private:
  Result<void> Fields(const std::vector<WireField>& fields, int depth, const pb::Descriptor* type) {
    for (const auto& field : fields) {
      auto printed = Field(field, depth, type);
      if (!printed) return printed;
    }
    return {};
  }

  void Line(int depth, const WireField& field, const pb::FieldDescriptor* descriptor,
            const std::string& note, const std::string& value) {
    out_.append(static_cast<std::size_t>(depth) * 2, ' ');
    out_ += "field " + std::to_string(field.number) + " [" + std::string(WireTypeName(field.type));
    if (field.type == WireType::kLen) out_ += " " + std::to_string(field.bytes.size());
    out_ += "]";
    if (descriptor != nullptr) out_ += " " + descriptor->name();
    if (!note.empty()) out_ += " (" + note + ")";
    out_ += " = " + value + "\n";
  }

  Result<void> Field(const WireField& field, int depth, const pb::Descriptor* type) {
    const pb::FieldDescriptor* descriptor =
        type != nullptr ? type->FindFieldByNumber(static_cast<int>(field.number)) : nullptr;
    std::string note;
    if (type != nullptr && descriptor == nullptr) note = "unknown field";
    if (descriptor != nullptr) {
      const WireType expected = ExpectedWireType(*descriptor);
      const bool packed = field.type == WireType::kLen && descriptor->is_packable();
      if (packed) return Packed(field, depth, *descriptor);
      if (field.type != expected) {
        note =
            "expected " + std::string(WireTypeName(expected)) + " for " + descriptor->type_name();
        descriptor = nullptr;  // read it as an unknown field
      }
    }
    switch (field.type) {
      case WireType::kVarint:
      case WireType::kI64:
      case WireType::kI32:
        Line(depth, field, descriptor, note,
             descriptor != nullptr ? TypedScalar(*descriptor, field.value)
                                   : UntypedScalar(field.type, field.value));
        return {};
      case WireType::kStartGroup:
        Line(depth, field, descriptor, note, "group");
        return Fields(field.group, depth + 1,
                      descriptor != nullptr ? descriptor->message_type() : nullptr);
      case WireType::kEndGroup:
        return {};  // consumed by the parser
      case WireType::kLen:
        return Len(field, depth, descriptor, note);
    }
    return {};
  }

  Result<void> Len(const WireField& field, int depth, const pb::FieldDescriptor* descriptor,
                   const std::string& note) {
    if (descriptor != nullptr) {
      switch (descriptor->type()) {
        case pb::FieldDescriptor::TYPE_STRING:
          if (IsValidUtf8(field.bytes)) {
            Line(depth, field, descriptor, note, Quoted(field.bytes));
          } else {
            Line(depth, field, descriptor, "not valid UTF-8", Hex(field.bytes));
          }
          return {};
        case pb::FieldDescriptor::TYPE_MESSAGE:
          Line(depth, field, descriptor, note, descriptor->message_type()->full_name());
          return Message(field.bytes, field.bytes_offset, depth + 1, descriptor->message_type());
        default:
          Line(depth, field, descriptor, note, Hex(field.bytes));
          return {};
      }
    }
    if (field.bytes.empty()) {
      Line(depth, field, nullptr, note, "\"\"");
      return {};
    }
    if (IsPrintable(field.bytes)) {
      Line(depth, field, nullptr, note, Quoted(field.bytes));
      return {};
    }
    // A nested message when it parses as one (within the depth limit), else bytes.
    if (depth + 1 <= kMaxDepth) {
      auto nested = ParseFields(field.bytes, field.bytes_offset, depth + 1);
      if (nested) {
        Line(depth, field, nullptr, note, "message");
        return Fields(*nested, depth + 1, nullptr);
      }
    }
    Line(depth, field, nullptr, note, Hex(field.bytes));
    return {};
  }

  // A packed repeated scalar: its values one after another in one length-delimited field.
  Result<void> Packed(const WireField& field, int depth, const pb::FieldDescriptor& descriptor) {
    const WireType element = ExpectedWireType(descriptor);
    std::string values;
    std::size_t offset = 0;
    std::size_t count = 0;
    while (offset < field.bytes.size()) {
      std::uint64_t raw = 0;
      if (element == WireType::kVarint) {
        auto value = ReadVarint(field.bytes, offset, field.bytes_offset);
        if (!value) return value.error();
        raw = *value;
      } else {
        const std::size_t width = element == WireType::kI64 ? 8 : 4;
        if (field.bytes.size() - offset < width) {
          return Error{ErrorCode::kInvalidArgument,
                       "malformed input at byte " + std::to_string(field.bytes_offset + offset) +
                           ": packed field " + descriptor.name() + " is not a whole number of " +
                           std::to_string(width) + "-byte values"};
        }
        for (std::size_t i = 0; i < width; ++i) {
          raw |= std::uint64_t{static_cast<unsigned char>(field.bytes[offset + i])} << (8 * i);
        }
        offset += width;
      }
      if (count++ > 0) values += ", ";
      values += TypedScalar(descriptor, raw);
    }
    Line(depth, field, &descriptor, "packed, " + std::to_string(count) + " values",
         "[" + values + "]");
    return {};
  }

  std::string out_;
};

}  // namespace

const google::protobuf::Descriptor* FindKnownType(std::string_view full_name) {
  // Naming a message of each generated file links it in and registers its descriptors.
  static const bool registered = [] {
    merch::v1::LogMessage::descriptor();
    merch::v1::User::descriptor();
    pb::FileDescriptorProto::descriptor();
    return true;
  }();
  (void)registered;
  return pb::DescriptorPool::generated_pool()->FindMessageTypeByName(std::string(full_name));
}

std::vector<std::string> KnownTypeNames() {
  std::vector<std::string> names;
  for (const auto* file :
       {merch::v1::LogMessage::descriptor()->file(), merch::v1::User::descriptor()->file()}) {
    for (int i = 0; i < file->message_type_count(); ++i) {
      names.push_back(file->message_type(i)->full_name());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> Decode(std::string_view input, const google::protobuf::Descriptor* type) {
  Printer printer;
  auto printed = printer.Message(input, 0, 0, type);
  if (!printed) return printed.error();
  return printer.Take();
}

}  // namespace merch::proto_inspect
