#pragma once

#include <grpcpp/support/status.h>

#include "merch/common/error.hpp"

namespace merch {

// The one mapping between ErrorCode and gRPC status codes; FromGrpcStatus inverts
// ToGrpcStatus, and maps transport-level codes (CANCELLED, UNKNOWN, ...) to kUnavailable or
// kInternal.
grpc::StatusCode ToGrpcCode(ErrorCode code);
grpc::Status ToGrpcStatus(const Error& error);
Error FromGrpcStatus(const grpc::Status& status);
// The code's name as in the gRPC documentation ("UNAVAILABLE"), e.g. for metric labels.
std::string_view GrpcCodeName(grpc::StatusCode code);

}  // namespace merch
