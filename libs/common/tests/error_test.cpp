#include "merch/common/error.hpp"

#include <gtest/gtest.h>

#include <array>

#include "merch/common/grpc_status.hpp"

namespace merch {
namespace {

constexpr std::array kAllCodes = {
    ErrorCode::kInvalidArgument,     ErrorCode::kUnauthenticated,
    ErrorCode::kPermissionDenied,    ErrorCode::kNotFound,
    ErrorCode::kAlreadyExists,       ErrorCode::kConflict,
    ErrorCode::kIdempotencyMismatch, ErrorCode::kUnavailable,
    ErrorCode::kDeadlineExceeded,    ErrorCode::kInternal,
};

TEST(ErrorTest, HttpStatusFollowsTheCause) {
  EXPECT_EQ(HttpStatus(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatus(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatus(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatus(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatus(ErrorCode::kIdempotencyMismatch), 422);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatus(ErrorCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatus(ErrorCode::kInternal), 500);
}

TEST(ErrorTest, GrpcMappingRoundTripsEveryCode) {
  for (ErrorCode code : kAllCodes) {
    const Error error{code, "detail"};
    const Error back = FromGrpcStatus(ToGrpcStatus(error));
    EXPECT_EQ(back.code, code) << ToString(code);
  }
  EXPECT_EQ(ToGrpcCode(ErrorCode::kConflict), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpcCode(ErrorCode::kIdempotencyMismatch), grpc::StatusCode::ABORTED);
}

TEST(ErrorTest, ClientSafeDetailsPassThroughButTransportFailuresDoNot) {
  EXPECT_EQ(FromGrpcStatus({grpc::StatusCode::NOT_FOUND, "order 5 does not exist"}).detail,
            "order 5 does not exist");
  const Error internal = FromGrpcStatus({grpc::StatusCode::INTERNAL, "secret stack trace"});
  EXPECT_EQ(internal.code, ErrorCode::kInternal);
  EXPECT_EQ(internal.detail, "internal error");
  const Error unknown = FromGrpcStatus({grpc::StatusCode::UNKNOWN, "boom"});
  EXPECT_EQ(unknown.code, ErrorCode::kInternal);
  EXPECT_EQ(FromGrpcStatus({grpc::StatusCode::CANCELLED, "x"}).code, ErrorCode::kUnavailable);
}

TEST(ErrorTest, ResultHoldsAValueOrAnError) {
  Result<int> good = 5;
  Result<int> bad = Error{ErrorCode::kNotFound, "missing"};
  EXPECT_TRUE(good.has_value());
  EXPECT_EQ(*good, 5);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
  EXPECT_THROW((void)bad.value(), std::logic_error);
}

}  // namespace
}  // namespace merch
