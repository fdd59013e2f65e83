#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "merch/common/config.hpp"
#include "merch/common/error.hpp"

namespace merch::auth {

// What a verified token says about its bearer.
struct TokenClaims {
  std::int64_t user_id = 0;  // "sub", a string of decimal digits, 1..2147483647
  // "ver", >= 1, bumped by each password change; 0 when the token has no "ver" (then the db
  // service judges it by issued_at against the user's last password change).
  std::int64_t token_version = 0;
  std::int64_t issued_at = 0;   // "iat", Unix seconds
  std::int64_t expires_at = 0;  // "exp", Unix seconds, always iat + kLifetimeSeconds
};

// HS256 JSON Web Tokens as api/openapi.yaml (bearerAuth) defines them, with one shared secret for
// every replica.
//
// Written on OpenSSL's HMAC, strict base64url and merch::ParseStrictJson rather than on libjwt:
// libjwt 1.10 checks neither `exp` nor `iss` nor claim types, and accepts inputs this contract
// must refuse (duplicate keys, padded or non-canonical base64url).
//
// Immutable after construction; Issue and Verify are safe to call from any number of threads.
class JwtCodec {
 public:
  static constexpr std::string_view kIssuer = "sustech-merch-store";
  static constexpr std::int64_t kLifetimeSeconds = 86400;
  static constexpr std::int64_t kLeewaySeconds = 60;
  // A longer token is refused before any decoding.
  static constexpr std::size_t kMaxTokenLength = 4096;

  // The caller has checked that `secret` holds at least 32 bytes.
  explicit JwtCodec(std::string secret);

  // Header {"alg":"HS256","typ":"JWT"}, payload
  // {"sub":"<id>","iat":now,"exp":now+86400,"iss":"sustech-merch-store","ver":version}.
  std::string Issue(std::int64_t user_id, std::int64_t token_version,
                    std::int64_t now_seconds) const;

  // The token's claims, or kUnauthenticated unless all of these hold:
  // - at most kMaxTokenLength bytes; three parts joined by '.', each strict base64url (no
  //   padding, no whitespace, canonical trailing bits);
  // - the header is a JSON object whose "alg" is exactly "HS256", whose "typ", if present, is
  //   "JWT", and which has no "crit" (we understand no extensions);
  // - the signature is HMAC-SHA256(secret, header "." payload), compared in constant time;
  // - the payload is a JSON object with "sub" (canonical decimal digits of an id 1..2147483647),
  //   "iat" and "exp" (JSON integers: no fraction or exponent), exp == iat + kLifetimeSeconds,
  //   "iss" == kIssuer and, if present, "ver" (an integer >= 1); other claims are allowed and
  //   ignored;
  // - neither header nor payload repeats a key, at any depth;
  // - now <= exp + kLeewaySeconds (not expired) and iat <= now + kLeewaySeconds (not issued in
  //   the future).
  // The error's detail is a short reason for the server's log; clients never see it, and it
  // never contains the token.
  Result<TokenClaims> Verify(std::string_view token, std::int64_t now_seconds) const;

 private:
  std::string Sign(std::string_view signing_input) const;

  std::string secret_;
};

// JWT_SECRET (required, at least kMinSecretBytes): the one HS256 key of every api replica and
// of the db service, which verifies the tokens the api forwards.
inline constexpr std::size_t kMinSecretBytes = 32;
Result<std::string> SecretFromEnv(const Env& env);

// Strict base64url (RFC 4648 §5) without padding, exposed for tests and tools.
std::string Base64UrlEncode(std::string_view bytes);
// Nothing on any character outside the alphabet (including '=' and whitespace), a length that no
// encoding produces, or non-zero unused bits in the last character.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace merch::auth
