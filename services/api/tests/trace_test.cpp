#include "http/trace.hpp"

#include <gtest/gtest.h>

namespace merch::api {
namespace {

TEST(TraceTest, RequestIdsFollowThePattern) {
  EXPECT_EQ(ValidRequestId("abc-123._~:+=@/"), "abc-123._~:+=@/");
  EXPECT_EQ(ValidRequestId(std::string(128, 'a')), std::string(128, 'a'));
  EXPECT_FALSE(ValidRequestId(std::string(129, 'a')));
  EXPECT_FALSE(ValidRequestId(""));
  EXPECT_FALSE(ValidRequestId("bad id!"));
  EXPECT_FALSE(ValidRequestId("caf\xc3\xa9"));
  const auto generated = NewRequestId();
  EXPECT_EQ(generated.size(), 32U);
  EXPECT_TRUE(ValidRequestId(generated));
  EXPECT_NE(generated, NewRequestId());
}

TEST(TraceTest, TraceparentGivesItsTraceIdWhenValid) {
  EXPECT_EQ(TraceIdFromTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  // A later version may add fields after the flags.
  EXPECT_EQ(TraceIdFromTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
       }) {
    EXPECT_FALSE(TraceIdFromTraceparent(bad)) << bad;
  }
}

}  // namespace
}  // namespace merch::api
