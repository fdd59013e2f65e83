// The wire-format parser on hand-made bytes: every wire type, and malformed input.
#include "wire.hpp"

#include <gtest/gtest.h>

#include <string>

namespace merch::proto_inspect {
namespace {

using namespace std::string_literals;

TEST(ReadVarint, ReadsOneToTenBytes) {
  std::size_t offset = 0;
  EXPECT_EQ(ReadVarint("\x96\x01"s, offset).value(), 150u);
  EXPECT_EQ(offset, 2u);
  offset = 0;
  const std::string max = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s;
  EXPECT_EQ(ReadVarint(max, offset).value(), UINT64_MAX);
  EXPECT_EQ(offset, 10u);
}

TEST(ReadVarint, RejectsCutOffAndOverlongVarints) {
  std::size_t offset = 0;
  auto cut = ReadVarint("\x96"s, offset);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().detail,
            "malformed input at byte 0: varint is cut off by the end of the input");
  offset = 0;
  auto over = ReadVarint("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"s, offset);
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().detail.find("longer than 64 bits"), std::string::npos);
  offset = 0;
  EXPECT_FALSE(ReadVarint("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s, offset));
}

TEST(ParseFields, ReadsEveryWireType) {
  // 1: varint 150; 2: i64 1; 3: len "hi"; 4: group { 1: varint 7 }; 5: i32 0x01020304.
  const std::string input = "\x08\x96\x01"s + "\x11\x01\x00\x00\x00\x00\x00\x00\x00"s +
                            "\x1a\x02hi"s + "\x23\x08\x07\x24"s + "\x2d\x04\x03\x02\x01"s;
  auto fields = ParseFields(input).value();
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0].number, 1u);
  EXPECT_EQ(fields[0].type, WireType::kVarint);
  EXPECT_EQ(fields[0].value, 150u);
  EXPECT_EQ(fields[1].type, WireType::kI64);
  EXPECT_EQ(fields[1].value, 1u);
  EXPECT_EQ(fields[2].type, WireType::kLen);
  EXPECT_EQ(fields[2].bytes, "hi");
  EXPECT_EQ(fields[2].offset, 12u);
  EXPECT_EQ(fields[2].bytes_offset, 14u);
  EXPECT_EQ(fields[3].type, WireType::kStartGroup);
  ASSERT_EQ(fields[3].group.size(), 1u);
  EXPECT_EQ(fields[3].group[0].value, 7u);
  EXPECT_EQ(fields[4].type, WireType::kI32);
  EXPECT_EQ(fields[4].value, 0x01020304u);
  EXPECT_TRUE(ParseFields("").value().empty());
}

struct MalformedCase {
  std::string input;
  std::string detail;
};

class Malformed : public testing::TestWithParam<MalformedCase> {};

TEST_P(Malformed, IsAnErrorNamingTheOffset) {
  auto fields = ParseFields(GetParam().input);
  ASSERT_FALSE(fields) << "parsed: " << GetParam().detail;
  EXPECT_EQ(fields.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fields.error().detail, "malformed input at byte " + GetParam().detail);
}

INSTANTIATE_TEST_SUITE_P(
    ParseFields, Malformed,
    testing::Values(
        MalformedCase{"\x08"s, "1: varint is cut off by the end of the input"},
        MalformedCase{"\x08\x96"s, "1: varint is cut off by the end of the input"},
        MalformedCase{"\x88"s, "0: varint is cut off by the end of the input"},
        MalformedCase{"\x11\x01\x02"s, "1: a 64-bit value needs 8 bytes, 2 left"},
        MalformedCase{"\x15\x01"s, "1: a 32-bit value needs 4 bytes, 1 left"},
        MalformedCase{"\x1a\x05hi"s, "1: length 5 runs past the end (2 bytes left)"},
        MalformedCase{"\x1a"s, "1: varint is cut off by the end of the input"},
        MalformedCase{"\x1a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s,
                      "1: length 18446744073709551615 runs past the end (0 bytes left)"},
        MalformedCase{"\x0e"s, "0: wire type 6 does not exist"},
        MalformedCase{"\x0f"s, "0: wire type 7 does not exist"},
        MalformedCase{"\x00\x01"s, "0: field number 0 is out of range"},
        MalformedCase{"\x80\x80\x80\x80\x10"s, "0: field number 536870912 is out of range"},
        MalformedCase{"\x0c"s, "0: end of group 1 outside any group"},
        MalformedCase{"\x0b\x08\x01"s, "3: group 1 is not closed"},
        MalformedCase{"\x0b\x14"s, "1: end of group 2 inside group 1"}));

TEST(ParseFields, BoundsNesting) {
  std::string deep;
  for (int i = 0; i <= kMaxDepth + 1; ++i) deep += "\x0b";
  auto fields = ParseFields(deep);
  ASSERT_FALSE(fields);
  EXPECT_NE(fields.error().detail.find("nested deeper than 64"), std::string::npos);

  std::string ok;
  for (int i = 0; i < kMaxDepth; ++i) ok += "\x0b";
  for (int i = 0; i < kMaxDepth; ++i) ok += "\x0c";
  EXPECT_TRUE(ParseFields(ok));
}

}  // namespace
}  // namespace merch::proto_inspect
