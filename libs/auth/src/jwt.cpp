#include "merch/auth/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <boost/json/value.hpp>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <utility>

#include "merch/common/strict_json.hpp"
#include "merch/common/validation.hpp"

namespace merch::auth {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::size_t kSha256Bytes = 32;

constexpr std::array<std::int8_t, 256> MakeDecodeTable() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}
constexpr std::array<std::int8_t, 256> kDecodeTable = MakeDecodeTable();

Error Reject(std::string reason) { return Error{ErrorCode::kUnauthenticated, std::move(reason)}; }

// Standard JSON (no comments, no trailing commas, valid UTF-8, no repeated key at any depth;
// boost::json::parse alone would keep one of two "alg" keys silently) whose top level is an
// object.
Result<boost::json::object> ParseObject(std::string_view text, std::string_view what) {
  Result<boost::json::value> value = ParseStrictJson(text);
  if (!value) return Reject(std::string(what) + ": " + value.error().detail);
  if (!value->is_object()) return Reject(std::string(what) + " is not a JSON object");
  return std::move(value->as_object());
}

// A JSON integer: a number written without fraction or exponent that fits in int64. Boost.JSON
// reports "2.0" and "1e0" as doubles, so they are not integers here.
std::optional<std::int64_t> GetInteger(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_int64()) return std::nullopt;
  return value->get_int64();
}

std::optional<std::string_view> GetString(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  const boost::json::string& text = value->get_string();
  return std::string_view(text.data(), text.size());
}

// The canonical decimal form of an id: no sign, no leading zero, 1..2147483647.
std::optional<std::int64_t> ParseSubject(std::string_view text) {
  if (text.empty() || text.size() > 10 || text.front() == '0') return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t id = 0;
  std::from_chars(text.data(), text.data() + text.size(), id);
  if (!validation::IsValidId(id)) return std::nullopt;
  return id;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char byte : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(byte);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      text.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) text.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  return text;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  // 4n+1 characters carry 6 bits too few for another byte: no encoder writes that.
  if (text.size() % 4 == 1) return std::nullopt;
  std::string bytes;
  bytes.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const std::int8_t sextet = kDecodeTable[static_cast<unsigned char>(c)];
    if (sextet < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(sextet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  // The 2 or 4 bits left over must be zero, so that each byte string has one encoding only.
  if ((buffer & ((1U << bits) - 1)) != 0) return std::nullopt;
  return bytes;
}

JwtCodec::JwtCodec(std::string secret) : secret_(std::move(secret)) {}

std::string JwtCodec::Sign(std::string_view signing_input) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_length = 0;
  // The one-shot HMAC() keeps no state between calls, so it is safe from any thread when given
  // its own output buffer.
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
           mac.data(), &mac_length) == nullptr ||
      mac_length != kSha256Bytes) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return {reinterpret_cast<const char*>(mac.data()), mac_length};
}

std::string JwtCodec::Issue(std::int64_t user_id, std::int64_t token_version,
                            std::int64_t now_seconds) const {
  std::string payload = R"({"sub":")" + std::to_string(user_id) + R"(","iat":)" +
                        std::to_string(now_seconds) + R"(,"exp":)" +
                        std::to_string(now_seconds + kLifetimeSeconds) + R"(,"iss":")" +
                        std::string(kIssuer) + R"(","ver":)" + std::to_string(token_version) + "}";
  std::string token = Base64UrlEncode(kHeaderJson) + "." + Base64UrlEncode(payload);
  const std::string signature = Sign(token);
  token += '.';
  token += Base64UrlEncode(signature);
  return token;
}

Result<TokenClaims> JwtCodec::Verify(std::string_view token, std::int64_t now_seconds) const {
  if (token.size() > kMaxTokenLength) return Reject("token too long");
  const std::size_t first_dot = token.find('.');
  const std::size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return Reject("token is not three parts");
  }
  const std::optional<std::string> header_json = Base64UrlDecode(token.substr(0, first_dot));
  const std::optional<std::string> payload_json =
      Base64UrlDecode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  const std::optional<std::string> signature = Base64UrlDecode(token.substr(second_dot + 1));
  if (!header_json || !payload_json || !signature) return Reject("token part is not base64url");

  Result<boost::json::object> header = ParseObject(*header_json, "header");
  if (!header) return header.error();
  if (GetString(*header, "alg") != "HS256") return Reject("alg is not HS256");
  if (header->contains("typ") && GetString(*header, "typ") != "JWT") {
    return Reject("typ is not JWT");
  }
  if (header->contains("crit")) return Reject("header has crit");

  const std::string expected = Sign(token.substr(0, second_dot));
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return Reject("bad signature");
  }

  // Signed by us from here on, so the checks below guard against our own mistakes and against
  // a leaked secret less than against forgery; they still state the contract exactly.
  Result<boost::json::object> payload = ParseObject(*payload_json, "payload");
  if (!payload) return payload.error();
  const std::optional<std::string_view> subject = GetString(*payload, "sub");
  if (!subject) return Reject("sub missing or not a string");
  const std::optional<std::int64_t> user_id = ParseSubject(*subject);
  if (!user_id) return Reject("sub is not a user id");
  const std::optional<std::int64_t> issued_at = GetInteger(*payload, "iat");
  if (!issued_at) return Reject("iat missing or not an integer");
  const std::optional<std::int64_t> expires_at = GetInteger(*payload, "exp");
  if (!expires_at) return Reject("exp missing or not an integer");
  if (*issued_at > std::numeric_limits<std::int64_t>::max() - kLifetimeSeconds ||
      *expires_at != *issued_at + kLifetimeSeconds) {
    return Reject("exp is not iat + 86400");
  }
  if (GetString(*payload, "iss") != kIssuer) return Reject("wrong or missing iss");
  // "ver" is ours and optional: a token with only the four claims of the contract is judged
  // by its iat instead (TokenClaims::token_version 0).
  std::optional<std::int64_t> version = 0;
  if (payload->contains("ver")) {
    version = GetInteger(*payload, "ver");
    if (!version || *version < 1) return Reject("ver is not a positive integer");
  }

  if (*expires_at < now_seconds - kLeewaySeconds) return Reject("token expired");
  if (*issued_at > now_seconds + kLeewaySeconds) return Reject("iat is in the future");

  return TokenClaims{.user_id = *user_id,
                     .token_version = *version,
                     .issued_at = *issued_at,
                     .expires_at = *expires_at};
}

Result<std::string> SecretFromEnv(const Env& env) {
  auto secret = env.RequiredString("JWT_SECRET");
  if (!secret) return secret.error();
  if (secret->size() < kMinSecretBytes) {
    return Error{ErrorCode::kInvalidArgument,
                 "JWT_SECRET must be at least 32 bytes, got " + std::to_string(secret->size())};
  }
  return secret;
}

}  // namespace merch::auth
