#pragma once

#include <string>
#include <string_view>

// Forging JSON Web Tokens for tests, independently of the code under test (OpenSSL's standard
// base64 and HMAC), so that tests can build exactly the bytes they mean.
namespace merch::api::test_support {

// Unpadded base64url of `bytes`.
std::string B64(std::string_view bytes);

std::string HmacSha256(std::string_view key, std::string_view data);

// A token with exactly these header and payload bytes, signed with HS256 and `key`.
std::string ForgeToken(std::string_view header, std::string_view payload, std::string_view key);

}  // namespace merch::api::test_support
