#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "merch/common/error.hpp"

// The input rules of the contract (api/openapi.yaml), shared by the api (which answers 400) and the
// db service (which answers INVALID_ARGUMENT), so that both layers agree by construction.
namespace merch::validation {

inline constexpr std::int64_t kMaxId = 2147483647;
inline constexpr int kMinQuantity = 1;
inline constexpr int kMaxQuantity = 3;
inline constexpr int kMaxListLimit = 100;
inline constexpr int kDefaultListLimit = 50;
inline constexpr std::size_t kMaxEmailChars = 254;
inline constexpr std::size_t kMinPasswordChars = 8;
inline constexpr std::size_t kMaxPasswordChars = 128;
inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;
inline constexpr std::size_t kMaxCategoryLength = 100;
inline constexpr std::size_t kMaxPasswordHashLength = 512;

// Ids in paths and bodies: 1..2147483647.
bool IsValidId(std::int64_t id);
// `^[A-Za-z0-9]{1,15}$`
bool IsValidSid(std::string_view sid);
// `^[A-Za-z0-9_.-]{3,50}$`
bool IsValidUsername(std::string_view username);
// Valid UTF-8, at most 254 characters, exactly one '@' with non-empty parts, and no
// whitespace or control characters (ASCII or Unicode).
bool IsValidEmail(std::string_view email);
// Valid UTF-8 of 8..128 Unicode code points, without NUL.
bool IsValidPassword(std::string_view password);
bool IsValidQuantity(std::int64_t quantity);
// 1..255 printable ASCII characters (0x20..0x7E).
bool IsValidIdempotencyKey(std::string_view key);
// An argon2id hash in PHC string form.
bool IsValidPasswordHash(std::string_view hash);
bool IsValidListLimit(std::int64_t limit);
bool IsValidListOffset(std::int64_t offset);
// Valid UTF-8 of 1..100 code points, without NUL.
bool IsValidCategory(std::string_view category);

// Each rule with its one client-facing message: kInvalidArgument naming the field and the rule,
// the api's 400 detail and the db service's INVALID_ARGUMENT message alike. `field` is the
// name the caller knows the value by.
Result<void> CheckId(std::int64_t id, std::string_view field);
Result<void> CheckSid(std::string_view sid);
Result<void> CheckUsername(std::string_view username);
Result<void> CheckEmail(std::string_view email);
Result<void> CheckPassword(std::string_view password);
Result<void> CheckPasswordHash(std::string_view hash);
Result<void> CheckQuantity(std::int64_t quantity);
Result<void> CheckIdempotencyKey(std::string_view key, std::string_view field);
Result<void> CheckListLimit(std::int64_t limit);
Result<void> CheckListOffset(std::int64_t offset);
Result<void> CheckCategory(std::string_view category);

// The number of code points of valid UTF-8 text, or -1 if it is not valid UTF-8.
std::int64_t Utf8Length(std::string_view text);

// `text` with every byte that is not part of a well-formed UTF-8 sequence written as `escape`
// followed by two upper-case hex digits (`\xFF` by default), so the result is valid UTF-8 and
// keeps the original bytes recognisable. Valid text comes back unchanged. Log events use it
// for request paths and other client-supplied bytes (README, "The log pipeline").
std::string EscapeInvalidUtf8(std::string_view text, std::string_view escape = "\\x");

}  // namespace merch::validation
