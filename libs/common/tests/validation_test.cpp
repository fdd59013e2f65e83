#include "merch/common/validation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace merch::validation {
namespace {

TEST(ValidationTest, Ids) {
  EXPECT_TRUE(IsValidId(1));
  EXPECT_TRUE(IsValidId(2147483647));
  EXPECT_FALSE(IsValidId(0));
  EXPECT_FALSE(IsValidId(-1));
  EXPECT_FALSE(IsValidId(2147483648));
}

TEST(ValidationTest, Sid) {
  EXPECT_TRUE(IsValidSid("12110000"));
  EXPECT_TRUE(IsValidSid("a"));
  EXPECT_TRUE(IsValidSid("ABCdef123456789"));
  EXPECT_FALSE(IsValidSid(""));
  EXPECT_FALSE(IsValidSid("ABCdef1234567890"));
  EXPECT_FALSE(IsValidSid("with space"));
  EXPECT_FALSE(IsValidSid("under_score"));
  EXPECT_FALSE(IsValidSid("caf\xc3\xa9"));
}

TEST(ValidationTest, Username) {
  EXPECT_TRUE(IsValidUsername("abc"));
  EXPECT_TRUE(IsValidUsername("A.b-c_9"));
  EXPECT_TRUE(IsValidUsername(std::string(50, 'x')));
  EXPECT_FALSE(IsValidUsername("ab"));
  EXPECT_FALSE(IsValidUsername(std::string(51, 'x')));
  EXPECT_FALSE(IsValidUsername("a b c"));
  EXPECT_FALSE(IsValidUsername("a@bc"));
  EXPECT_FALSE(IsValidUsername(std::string("ab\0c", 4)));
}

TEST(ValidationTest, Email) {
  EXPECT_TRUE(IsValidEmail("a@b"));
  EXPECT_TRUE(IsValidEmail("Student.Name+tag@mail.sustech.edu.cn"));
  EXPECT_TRUE(IsValidEmail("\xe5\xad\xa6\xe7\x94\x9f@example.com"));   // non-ASCII local part
  EXPECT_TRUE(IsValidEmail(std::string(242, 'a') + "@example.com"));   // 254 characters
  EXPECT_FALSE(IsValidEmail(std::string(243, 'a') + "@example.com"));  // 255
  EXPECT_FALSE(IsValidEmail(""));
  EXPECT_FALSE(IsValidEmail("plain"));
  EXPECT_FALSE(IsValidEmail("@b"));
  EXPECT_FALSE(IsValidEmail("a@"));
  EXPECT_FALSE(IsValidEmail("a@b@c"));
  EXPECT_FALSE(IsValidEmail("a b@c"));
  EXPECT_FALSE(IsValidEmail("a@b\n"));
  EXPECT_FALSE(IsValidEmail("a\x7f@b"));
  EXPECT_FALSE(IsValidEmail("a\xc2\xa0@b"));      // no-break space
  EXPECT_FALSE(IsValidEmail("a\xe2\x80\xa8@b"));  // line separator
  EXPECT_FALSE(IsValidEmail("a\xff@b"));          // not UTF-8
  EXPECT_FALSE(IsValidEmail("a\xc0\xaf@b"));      // overlong
}

TEST(ValidationTest, PasswordCountsCodePoints) {
  EXPECT_TRUE(IsValidPassword("12345678"));
  EXPECT_FALSE(IsValidPassword("1234567"));
  EXPECT_TRUE(IsValidPassword(std::string(128, 'p')));
  EXPECT_FALSE(IsValidPassword(std::string(129, 'p')));
  std::string eight_chinese;
  for (int i = 0; i < 8; ++i) eight_chinese += "\xe5\xaf\x86";  // 8 code points, 24 bytes
  EXPECT_TRUE(IsValidPassword(eight_chinese));
  std::string many_chinese;
  for (int i = 0; i < 128; ++i) many_chinese += "\xe5\xaf\x86";
  EXPECT_TRUE(IsValidPassword(many_chinese));
  EXPECT_FALSE(IsValidPassword(many_chinese + "\xe5\xaf\x86"));
  EXPECT_FALSE(IsValidPassword("1234567\xff"));
  EXPECT_FALSE(
      IsValidPassword(std::string("1234\0"
                                  "5678",
                                  9)));
}

TEST(ValidationTest, CategoryRefusesNulAndBadUtf8) {
  EXPECT_TRUE(IsValidCategory("Apparel"));
  EXPECT_FALSE(IsValidCategory(""));
  EXPECT_FALSE(IsValidCategory(std::string("Apparel\0x", 9)));
  EXPECT_FALSE(IsValidCategory("Apparel\xff"));
}

TEST(ValidationTest, EscapeInvalidUtf8KeepsValidTextAndEscapesEachBadByte) {
  EXPECT_EQ(EscapeInvalidUtf8("/greeting"), "/greeting");
  EXPECT_EQ(EscapeInvalidUtf8("caf\xc3\xa9 \xe5\xaf\x86"), "caf\xc3\xa9 \xe5\xaf\x86");
  EXPECT_EQ(EscapeInvalidUtf8("/\xff\xfe"), "/\\xFF\\xFE");
  // A truncated sequence, an overlong form and a surrogate: each byte on its own.
  EXPECT_EQ(EscapeInvalidUtf8("a\xe5\xaf"), "a\\xE5\\xAF");
  EXPECT_EQ(EscapeInvalidUtf8("\xc0\xaf"), "\\xC0\\xAF");
  EXPECT_EQ(EscapeInvalidUtf8("\xed\xa0\x80"), "\\xED\\xA0\\x80");
  EXPECT_EQ(EscapeInvalidUtf8("\xff", "%"), "%FF");
  EXPECT_GE(Utf8Length(EscapeInvalidUtf8("x\x80\xbf\xf8y")), 0);
}

TEST(ValidationTest, QuantityKeysAndPages) {
  EXPECT_FALSE(IsValidQuantity(0));
  EXPECT_TRUE(IsValidQuantity(1));
  EXPECT_TRUE(IsValidQuantity(3));
  EXPECT_FALSE(IsValidQuantity(4));
  EXPECT_TRUE(IsValidIdempotencyKey("a"));
  EXPECT_TRUE(IsValidIdempotencyKey(" spaces are printable ~"));
  EXPECT_TRUE(IsValidIdempotencyKey(std::string(255, 'k')));
  EXPECT_FALSE(IsValidIdempotencyKey(""));
  EXPECT_FALSE(IsValidIdempotencyKey(std::string(256, 'k')));
  EXPECT_FALSE(IsValidIdempotencyKey("tab\t"));
  EXPECT_FALSE(IsValidIdempotencyKey("caf\xc3\xa9"));
  EXPECT_TRUE(IsValidListLimit(1));
  EXPECT_TRUE(IsValidListLimit(100));
  EXPECT_FALSE(IsValidListLimit(0));
  EXPECT_FALSE(IsValidListLimit(101));
  EXPECT_TRUE(IsValidListOffset(0));
  EXPECT_FALSE(IsValidListOffset(-1));
  EXPECT_TRUE(IsValidPasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"));
  EXPECT_FALSE(IsValidPasswordHash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"));
  EXPECT_FALSE(IsValidPasswordHash("$argon2id$ with space"));
}

}  // namespace
}  // namespace merch::validation
