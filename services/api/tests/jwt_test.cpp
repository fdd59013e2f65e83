#include "merch/auth/jwt.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "support/token_forge.hpp"

namespace merch::api {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef-test-secret";
constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::string_view kGoodHeader = R"({"alg":"HS256","typ":"JWT"})";

using test_support::B64;

// A token with exactly these header and payload bytes, signed with `key`.
std::string Forge(std::string_view header, std::string_view payload,
                  std::string_view key = kSecret) {
  return test_support::ForgeToken(header, payload, key);
}

std::string Claims(std::string_view sub = R"("42")", std::int64_t iat = kNow,
                   std::string_view extra = "") {
  return R"({"sub":)" + std::string(sub) + R"(,"iat":)" + std::to_string(iat) + R"(,"exp":)" +
         std::to_string(iat + 86400) + R"(,"iss":"sustech-merch-store","ver":3)" +
         std::string(extra) + "}";
}

class JwtTest : public ::testing::Test {
 protected:
  // Verifies and returns true when the token is refused with kUnauthenticated.
  bool Refused(std::string_view token, std::int64_t now = kNow) const {
    Result<auth::TokenClaims> claims = codec_.Verify(token, now);
    if (claims) return false;
    EXPECT_EQ(claims.error().code, ErrorCode::kUnauthenticated);
    EXPECT_FALSE(claims.error().detail.empty());
    return true;
  }

  auth::JwtCodec codec_{std::string(kSecret)};
};

TEST_F(JwtTest, IssueThenVerifyRoundTrips) {
  const std::string token = codec_.Issue(42, 3, kNow);
  Result<auth::TokenClaims> claims = codec_.Verify(token, kNow);
  ASSERT_TRUE(claims) << claims.error().detail;
  EXPECT_EQ(claims->user_id, 42);
  EXPECT_EQ(claims->token_version, 3);
  EXPECT_EQ(claims->issued_at, kNow);
  EXPECT_EQ(claims->expires_at, kNow + 86400);
}

TEST_F(JwtTest, IssuedTokenHasTheContractsExactBytes) {
  EXPECT_EQ(codec_.Issue(42, 3, kNow), Forge(kGoodHeader, Claims()));
  EXPECT_EQ(codec_.Issue(2147483647, 1, kNow),
            Forge(kGoodHeader, R"({"sub":"2147483647","iat":1700000000,"exp":1700086400,)"
                               R"("iss":"sustech-merch-store","ver":1})"));
}

TEST_F(JwtTest, AnotherCodecWithTheSameSecretAccepts) {
  const auth::JwtCodec other{std::string(kSecret)};
  EXPECT_TRUE(other.Verify(codec_.Issue(7, 1, kNow), kNow + 10));
}

TEST_F(JwtTest, ForgedTokenWithTheRightKeyIsAccepted) {
  EXPECT_FALSE(Refused(Forge(kGoodHeader, Claims())));
  EXPECT_FALSE(Refused(Forge(R"({"alg":"HS256"})", Claims()))) << "typ is optional";
  EXPECT_FALSE(Refused(Forge(R"({"typ":"JWT","alg":"HS256","kid":"k1"})", Claims())));
  EXPECT_FALSE(Refused(Forge(kGoodHeader, Claims(R"("42")", kNow, R"(,"jti":"x","n":{"a":[1]})"))))
      << "other claims are ignored";
}

TEST_F(JwtTest, AlgNoneWithoutSignatureIsRefused) {
  const std::string unsigned_token =
      B64(R"({"alg":"none","typ":"JWT"})") + "." + B64(Claims()) + ".";
  EXPECT_TRUE(Refused(unsigned_token));
  EXPECT_TRUE(Refused(B64(R"({"alg":"none"})") + "." + B64(Claims()) + "."));
}

TEST_F(JwtTest, AlgNoneWithSignatureIsRefused) {
  EXPECT_TRUE(Refused(Forge(R"({"alg":"none","typ":"JWT"})", Claims())));
}

TEST_F(JwtTest, OtherAlgsAreRefusedEvenWithAnHs256Signature) {
  for (const char* header :
       {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"RS256","typ":"JWT"})",
        R"({"alg":"hs256","typ":"JWT"})", R"({"alg":"HS256 ","typ":"JWT"})",
        R"({"alg":["HS256"],"typ":"JWT"})", R"({"alg":null,"typ":"JWT"})", R"({"typ":"JWT"})"}) {
    EXPECT_TRUE(Refused(Forge(header, Claims()))) << header;
  }
}

TEST_F(JwtTest, BadHeadersAreRefused) {
  for (const char* header :
       {R"({"alg":"HS256","typ":"JWS"})", R"({"alg":"HS256","typ":1})",
        R"({"alg":"HS256","crit":["exp"]})", R"(["HS256"])", R"("HS256")", R"({"alg":"HS256")",
        R"({"alg":"HS256"} x)", R"({"alg":"HS256",})", R"({"alg":"HS256"/**/})", ""}) {
    EXPECT_TRUE(Refused(Forge(header, Claims()))) << header;
  }
}

TEST_F(JwtTest, WrongKeyIsRefused) {
  EXPECT_TRUE(Refused(Forge(kGoodHeader, Claims(), "another-secret-of-32-bytes-or-more!!")));
  const auth::JwtCodec other{"another-secret-of-32-bytes-or-more!!"};
  EXPECT_TRUE(Refused(other.Issue(42, 3, kNow)));
}

TEST_F(JwtTest, TamperedPayloadIsRefused) {
  const std::string token = codec_.Issue(42, 3, kNow);
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  const std::string forged =
      token.substr(0, first + 1) + B64(Claims(R"("43")")) + token.substr(second);
  EXPECT_TRUE(Refused(forged));
  const std::string newer_version =
      token.substr(0, first + 1) +
      B64(R"({"sub":"42","iat":1700000000,"exp":1700086400,"iss":"sustech-merch-store","ver":4})") +
      token.substr(second);
  EXPECT_TRUE(Refused(newer_version));
}

TEST_F(JwtTest, TamperedSignatureIsRefused) {
  std::string token = codec_.Issue(42, 3, kNow);
  token[token.size() - 3] = token[token.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_TRUE(Refused(token));
  const std::string original = codec_.Issue(42, 3, kNow);
  EXPECT_TRUE(Refused(original.substr(0, original.size() - 2))) << "truncated signature";
  EXPECT_TRUE(Refused(original.substr(0, original.rfind('.') + 1))) << "empty signature";
}

TEST_F(JwtTest, NonCanonicalSignatureEncodingIsRefused) {
  // 32 bytes take 43 characters; the last carries 4 data bits and 2 unused ones that must be
  // zero. Setting one gives another string for the same bytes: refused, so tokens are unique.
  const std::string token = codec_.Issue(42, 3, kNow);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string altered = token;
  const std::size_t last = alphabet.find(altered.back());
  ASSERT_EQ(last % 4, 0U);
  altered.back() = alphabet[last + 1];
  EXPECT_TRUE(Refused(altered));
}

TEST_F(JwtTest, ExpiryAllowsSixtySecondsOfLeeway) {
  const std::string token = codec_.Issue(42, 3, kNow);
  const std::int64_t exp = kNow + 86400;
  EXPECT_FALSE(Refused(token, exp));
  EXPECT_FALSE(Refused(token, exp + 59));
  EXPECT_FALSE(Refused(token, exp + 60));
  EXPECT_TRUE(Refused(token, exp + 61));
  EXPECT_TRUE(Refused(token, exp + 100000));
}

TEST_F(JwtTest, IatInTheFutureIsRefusedBeyondLeeway) {
  EXPECT_FALSE(Refused(Forge(kGoodHeader, Claims(R"("42")", kNow + 60))));
  EXPECT_TRUE(Refused(Forge(kGoodHeader, Claims(R"("42")", kNow + 61))));
  EXPECT_TRUE(Refused(codec_.Issue(42, 3, kNow + 3600), kNow));
}

TEST_F(JwtTest, WrongOrMissingIssuerIsRefused) {
  for (const char* iss : {R"("sustech-merch-store ")", R"("SUSTECH-MERCH-STORE")", R"("other")",
                          R"("")", "1", "null"}) {
    const std::string payload = R"({"sub":"42","iat":1700000000,"exp":1700086400,"iss":)" +
                                std::string(iss) + R"(,"ver":3})";
    EXPECT_TRUE(Refused(Forge(kGoodHeader, payload))) << iss;
  }
}

// A token with exactly the contract's four claims and no "ver" is accepted, with version 0:
// the db service then judges it by its iat.
TEST_F(JwtTest, ATokenWithoutAVersionIsAcceptedWithVersionZero) {
  const auto claims = codec_.Verify(
      Forge(kGoodHeader,
            R"({"sub":"42","iat":1700000000,"exp":1700086400,"iss":"sustech-merch-store"})"),
      kNow);
  ASSERT_TRUE(claims) << claims.error().detail;
  EXPECT_EQ(claims->user_id, 42);
  EXPECT_EQ(claims->token_version, 0);
  EXPECT_EQ(claims->issued_at, 1700000000);
}

TEST_F(JwtTest, EachMissingRequiredClaimIsRefused) {
  const std::array<std::string, 4> members = {R"("sub":"42")", R"("iat":1700000000)",
                                              R"("exp":1700086400)",
                                              R"("iss":"sustech-merch-store")"};
  for (std::size_t skip = 0; skip < members.size(); ++skip) {
    std::string payload = "{";
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i == skip) continue;
      if (payload.size() > 1) payload += ",";
      payload += members[i];
    }
    payload += "}";
    EXPECT_TRUE(Refused(Forge(kGoodHeader, payload))) << payload;
  }
}

TEST_F(JwtTest, ClaimsOfTheWrongTypeAreRefused) {
  const std::string tail = R"(,"iss":"sustech-merch-store")";
  for (const std::string& payload : {
           R"({"sub":42,"iat":1700000000,"exp":1700086400,"ver":3)" + tail + "}",
           R"({"sub":"42","iat":"1700000000","exp":1700086400,"ver":3)" + tail + "}",
           R"({"sub":"42","iat":1700000000.0,"exp":1700086400,"ver":3)" + tail + "}",
           R"({"sub":"42","iat":1.7e9,"exp":1700086400,"ver":3)" + tail + "}",
           R"({"sub":"42","iat":1700000000,"exp":1700086400.0,"ver":3)" + tail + "}",
           R"({"sub":"42","iat":1700000000,"exp":"1700086400","ver":3)" + tail + "}",
           R"({"sub":"42","iat":1700000000,"exp":1700086400,"ver":0)" + tail + "}",
           R"({"sub":"42","iat":1700000000,"exp":1700086400,"ver":-1)" + tail + "}",
           R"({"sub":"42","iat":1700000000,"exp":1700086400,"ver":"3")" + tail + "}",
           R"({"sub":"42","iat":1700000000,"exp":1700086400,"ver":3.0)" + tail + "}",
           R"({"sub":"42","iat":1700000000,"exp":1700086400,"ver":true)" + tail + "}",
           R"({"sub":"42","iat":1700000000,"exp":1700086400,"ver":null)" + tail + "}",
           R"({"sub":"42","iat":18446744073709551615,"exp":1700086400,"ver":3)" + tail + "}",
           R"({"sub":null,"iat":1700000000,"exp":1700086400,"ver":3)" + tail + "}",
       }) {
    EXPECT_TRUE(Refused(Forge(kGoodHeader, payload))) << payload;
  }
}

TEST_F(JwtTest, ExpMustBeIatPlusTheLifetime) {
  const std::string tail = R"(,"iss":"sustech-merch-store","ver":3})";
  EXPECT_TRUE(
      Refused(Forge(kGoodHeader, R"({"sub":"42","iat":1700000000,"exp":1800000000)" + tail)));
  EXPECT_TRUE(
      Refused(Forge(kGoodHeader, R"({"sub":"42","iat":1700000000,"exp":1700000001)" + tail)));
  EXPECT_TRUE(Refused(Forge(
      kGoodHeader, R"({"sub":"42","iat":9223372036854775807,"exp":-9223372036854729217)" + tail)))
      << "overflowing iat + 86400";
}

TEST_F(JwtTest, SubjectMustBeAValidIdInDigits) {
  for (const char* sub :
       {R"("0")", R"("2147483648")", R"("12a")", R"("")", R"("-1")", R"("+1")", R"("01")",
        R"(" 1")", R"("1 ")", R"("99999999999999999999")", R"("1.0")", R"("١")"}) {
    EXPECT_TRUE(Refused(Forge(kGoodHeader, Claims(sub)))) << sub;
  }
  Result<auth::TokenClaims> max =
      codec_.Verify(Forge(kGoodHeader, Claims(R"("2147483647")")), kNow);
  ASSERT_TRUE(max);
  EXPECT_EQ(max->user_id, 2147483647);
  EXPECT_FALSE(Refused(Forge(kGoodHeader, Claims(R"("1")"))));
}

TEST_F(JwtTest, PaddingWhitespaceAndForeignCharactersAreRefused) {
  // Header {"alg":"HS256","typ":"JWT"} encodes to 36 characters, so padding is appended, not
  // needed; a payload whose encoding needs padding shows the padded form is refused too.
  const std::string token = codec_.Issue(42, 3, kNow);
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  EXPECT_TRUE(Refused(token.substr(0, first) + "=" + token.substr(first)));
  EXPECT_TRUE(Refused(token + "="));
  EXPECT_TRUE(Refused(token + "=="));
  EXPECT_TRUE(Refused(" " + token));
  EXPECT_TRUE(Refused(token + "\n"));
  EXPECT_TRUE(Refused(token.substr(0, second) + " " + token.substr(second)));

  std::string payload = Claims();
  while (payload.size() % 3 == 0) payload += " ";  // JSON whitespace: still valid
  const std::string unpadded = Forge(kGoodHeader, payload);
  EXPECT_FALSE(Refused(unpadded));
  const std::size_t unpadded_second = unpadded.find('.', unpadded.find('.') + 1);
  const std::string padding = payload.size() % 3 == 1 ? "==" : "=";
  EXPECT_TRUE(
      Refused(unpadded.substr(0, unpadded_second) + padding + unpadded.substr(unpadded_second)));

  std::string standard_alphabet = token;
  for (char& c : standard_alphabet) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (standard_alphabet != token) {
    EXPECT_TRUE(Refused(standard_alphabet));
  }
  EXPECT_TRUE(Refused(token.substr(0, first) + "+" + token.substr(first)));
}

TEST_F(JwtTest, WrongNumberOfPartsIsRefused) {
  const std::string token = codec_.Issue(42, 3, kNow);
  const std::size_t second = token.rfind('.');
  EXPECT_TRUE(Refused(token.substr(0, second)));
  EXPECT_TRUE(Refused(token + ".x"));
  EXPECT_TRUE(Refused(token + "."));
  EXPECT_TRUE(Refused(token.substr(0, token.find('.'))));
  EXPECT_TRUE(Refused(""));
  EXPECT_TRUE(Refused("."));
  EXPECT_TRUE(Refused(".."));
  EXPECT_TRUE(Refused("..."));
}

TEST_F(JwtTest, OverLongTokensAreRefusedBeforeAnythingElse) {
  // Correctly signed tokens either side of the 4096-byte bound.
  std::string at_limit;
  std::string over_limit;
  for (std::string filler; over_limit.empty(); filler += 'x') {
    std::string token =
        Forge(kGoodHeader, Claims(R"("42")", kNow, R"(,"pad":")" + filler + R"(")"));
    (token.size() <= auth::JwtCodec::kMaxTokenLength ? at_limit : over_limit) = std::move(token);
  }
  ASSERT_GE(at_limit.size(), 4094U);
  ASSERT_LE(over_limit.size(), 4098U);
  EXPECT_FALSE(Refused(at_limit));
  EXPECT_TRUE(Refused(over_limit));
  EXPECT_TRUE(Refused(std::string(100000, 'a')));
}

TEST_F(JwtTest, DuplicateKeysAreRefused) {
  EXPECT_TRUE(Refused(Forge(R"({"alg":"none","alg":"HS256","typ":"JWT"})", Claims())));
  EXPECT_TRUE(Refused(Forge(R"({"alg":"HS256","alg":"none","typ":"JWT"})", Claims())));
  EXPECT_TRUE(Refused(Forge(R"({"alg":"HS256","alg":"HS256"})", Claims())));
  EXPECT_TRUE(Refused(Forge(R"({"alg":"HS256","typ":"JWT","typ":"JWT"})", Claims())));
  EXPECT_TRUE(Refused(Forge(kGoodHeader, Claims(R"("42")", kNow, R"(,"sub":"43")"))));
  EXPECT_TRUE(Refused(Forge(kGoodHeader, Claims(R"("42")", kNow, R"(,"ver":4)"))));
  EXPECT_TRUE(Refused(Forge(kGoodHeader, Claims(R"("42")", kNow, R"(,"x":{"a":1,"a":2})"))))
      << "nested objects too";
  EXPECT_TRUE(Refused(Forge(kGoodHeader, Claims(R"("42")", kNow, R"(,"\u0073ub":"43")"))))
      << "an escaped spelling of the same key";
  EXPECT_FALSE(Refused(Forge(kGoodHeader, Claims(R"("42")", kNow, R"(,"x":{"sub":1})"))))
      << "the same key in another object is not a duplicate";
}

TEST_F(JwtTest, PayloadMustBeOneJsonObject) {
  for (const char* payload :
       {"", "[]", "42", R"("x")", "null", "{", R"({"sub":"42"} {})", "\xff\xfe"}) {
    EXPECT_TRUE(Refused(Forge(kGoodHeader, payload))) << payload;
  }
}

TEST(Base64UrlTest, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(auth::Base64UrlEncode(""), "");
  EXPECT_EQ(auth::Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(auth::Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(auth::Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(auth::Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(auth::Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(auth::Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(auth::Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64UrlTest, DecodesStrictly) {
  EXPECT_EQ(auth::Base64UrlDecode(""), std::optional<std::string>(""));
  EXPECT_EQ(auth::Base64UrlDecode("Zg"), std::optional<std::string>("f"));
  EXPECT_EQ(auth::Base64UrlDecode("Zm8"), std::optional<std::string>("fo"));
  EXPECT_EQ(auth::Base64UrlDecode("Zm9vYmFy"), std::optional<std::string>("foobar"));
  EXPECT_EQ(auth::Base64UrlDecode("-_8"), std::optional<std::string>("\xfb\xff"));
  for (const char* bad :
       {"Zg==", "Zm8=", "Z", "Zm9vY", "Zh", "Zm9", "Zm9v\n", " Zm9v", "Zm+v", "Zm/v", "Zm9v."}) {
    EXPECT_FALSE(auth::Base64UrlDecode(bad)) << bad;
  }
  EXPECT_FALSE(auth::Base64UrlDecode(std::string_view("Zm\0v", 4)));
  for (int i = 0; i < 256; ++i) {
    std::string bytes;
    for (int j = 0; j <= i % 7; ++j) bytes.push_back(static_cast<char>((i * 31 + j * 17) & 0xFF));
    EXPECT_EQ(auth::Base64UrlDecode(auth::Base64UrlEncode(bytes)),
              std::optional<std::string>(bytes));
    EXPECT_EQ(auth::Base64UrlEncode(bytes), B64(bytes));
  }
}

}  // namespace
}  // namespace merch::api
