#include "merch/common/validation.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace merch::validation {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Decodes one code point from the front of `text`, advancing it; nullopt on malformed input
// (bad lead or continuation bytes, overlong forms, surrogates, values above U+10FFFF).
std::optional<char32_t> DecodeOne(std::string_view& text) {
  const auto lead = static_cast<unsigned char>(text.front());
  std::size_t length = 0;
  char32_t code_point = 0;
  if (lead < 0x80) {
    length = 1;
    code_point = lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return std::nullopt;
  }
  if (text.size() < length) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) != 0x80) return std::nullopt;
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  static constexpr std::array<char32_t, 5> kMinForLength = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinForLength[length] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return std::nullopt;
  }
  text.remove_prefix(length);
  return code_point;
}

bool IsSpaceOrControl(char32_t c) {
  if (c <= 0x20 || (c >= 0x7F && c <= 0xA0)) return true;  // C0, space, DEL, C1, NBSP
  switch (c) {
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200B;
  }
}

}  // namespace

std::string EscapeInvalidUtf8(std::string_view text, std::string_view escape) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string escaped;
  escaped.reserve(text.size());
  while (!text.empty()) {
    std::string_view rest = text;
    if (DecodeOne(rest)) {
      escaped.append(text.data(), text.size() - rest.size());
      text = rest;
      continue;
    }
    const auto byte = static_cast<unsigned char>(text.front());
    escaped.append(escape);
    escaped.push_back(kHex[byte >> 4]);
    escaped.push_back(kHex[byte & 0x0F]);
    text.remove_prefix(1);
  }
  return escaped;
}

std::int64_t Utf8Length(std::string_view text) {
  std::int64_t count = 0;
  while (!text.empty()) {
    if (!DecodeOne(text)) return -1;
    ++count;
  }
  return count;
}

bool IsValidId(std::int64_t id) { return id >= 1 && id <= kMaxId; }

bool IsValidSid(std::string_view sid) {
  return !sid.empty() && sid.size() <= 15 && std::all_of(sid.begin(), sid.end(), IsAsciiAlnum);
}

bool IsValidUsername(std::string_view username) {
  return username.size() >= 3 && username.size() <= 50 &&
         std::all_of(username.begin(), username.end(),
                     [](char c) { return IsAsciiAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool IsValidEmail(std::string_view email) {
  std::size_t at_count = 0;
  std::size_t at_position = 0;
  std::size_t length = 0;
  std::string_view rest = email;
  while (!rest.empty()) {
    const std::size_t position = email.size() - rest.size();
    auto code_point = DecodeOne(rest);
    if (!code_point || IsSpaceOrControl(*code_point)) return false;
    if (*code_point == U'@') {
      ++at_count;
      at_position = position;
    }
    if (++length > kMaxEmailChars) return false;
  }
  return at_count == 1 && at_position > 0 && at_position + 1 < email.size();
}

bool IsValidPassword(std::string_view password) {
  const auto length = Utf8Length(password);
  return password.find('\0') == std::string_view::npos &&
         length >= static_cast<std::int64_t>(kMinPasswordChars) &&
         length <= static_cast<std::int64_t>(kMaxPasswordChars);
}

bool IsValidQuantity(std::int64_t quantity) {
  return quantity >= kMinQuantity && quantity <= kMaxQuantity;
}

bool IsValidIdempotencyKey(std::string_view key) {
  return !key.empty() && key.size() <= kMaxIdempotencyKeyLength &&
         std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

bool IsValidPasswordHash(std::string_view hash) {
  return hash.starts_with("$argon2id$") && hash.size() <= kMaxPasswordHashLength &&
         std::all_of(hash.begin(), hash.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

bool IsValidListLimit(std::int64_t limit) { return limit >= 1 && limit <= kMaxListLimit; }

bool IsValidListOffset(std::int64_t offset) { return offset >= 0 && offset <= kMaxId; }

bool IsValidCategory(std::string_view category) {
  const auto length = Utf8Length(category);
  return category.find('\0') == std::string_view::npos && length >= 1 &&
         static_cast<std::size_t>(length) <= kMaxCategoryLength;
}

namespace {

Result<void> Rule(bool ok, std::string message) {
  if (ok) return {};
  return Error{ErrorCode::kInvalidArgument, std::move(message)};
}

}  // namespace

Result<void> CheckId(std::int64_t id, std::string_view field) {
  return Rule(IsValidId(id), std::string(field) + " must be an integer in 1..2147483647");
}

Result<void> CheckSid(std::string_view sid) {
  return Rule(IsValidSid(sid), "sid must match ^[A-Za-z0-9]{1,15}$");
}

Result<void> CheckUsername(std::string_view username) {
  return Rule(IsValidUsername(username), "username must match ^[A-Za-z0-9_.-]{3,50}$");
}

Result<void> CheckEmail(std::string_view email) {
  return Rule(IsValidEmail(email),
              "email must be at most 254 characters with exactly one @ between non-empty parts "
              "and no whitespace or control characters");
}

Result<void> CheckPassword(std::string_view password) {
  return Rule(IsValidPassword(password), "password must be 8 to 128 characters");
}

Result<void> CheckPasswordHash(std::string_view hash) {
  return Rule(IsValidPasswordHash(hash),
              "password_hash must be an argon2id hash in PHC string form");
}

Result<void> CheckQuantity(std::int64_t quantity) {
  return Rule(IsValidQuantity(quantity), "quantity must be 1, 2 or 3");
}

Result<void> CheckIdempotencyKey(std::string_view key, std::string_view field) {
  return Rule(IsValidIdempotencyKey(key),
              std::string(field) + " must be 1 to 255 printable ASCII characters");
}

Result<void> CheckListLimit(std::int64_t limit) {
  return Rule(IsValidListLimit(limit), "limit must be an integer in 1..100");
}

Result<void> CheckListOffset(std::int64_t offset) {
  return Rule(IsValidListOffset(offset), "offset must be an integer in 0..2147483647");
}

Result<void> CheckCategory(std::string_view category) {
  return Rule(IsValidCategory(category),
              "category must be 1 to 100 characters of UTF-8 without NUL");
}

}  // namespace merch::validation
