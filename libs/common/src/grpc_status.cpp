#include "merch/common/grpc_status.hpp"

namespace merch {

grpc::StatusCode ToGrpcCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorCode::kUnauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    case ErrorCode::kPermissionDenied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case ErrorCode::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case ErrorCode::kAlreadyExists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case ErrorCode::kConflict:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case ErrorCode::kIdempotencyMismatch:
      return grpc::StatusCode::ABORTED;
    case ErrorCode::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case ErrorCode::kDeadlineExceeded:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case ErrorCode::kInternal:
      return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

grpc::Status ToGrpcStatus(const Error& error) { return {ToGrpcCode(error.code), error.detail}; }

Error FromGrpcStatus(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return {ErrorCode::kInvalidArgument, status.error_message()};
    case grpc::StatusCode::UNAUTHENTICATED:
      return {ErrorCode::kUnauthenticated, status.error_message()};
    case grpc::StatusCode::PERMISSION_DENIED:
      return {ErrorCode::kPermissionDenied, status.error_message()};
    case grpc::StatusCode::NOT_FOUND:
      return {ErrorCode::kNotFound, status.error_message()};
    case grpc::StatusCode::ALREADY_EXISTS:
      return {ErrorCode::kAlreadyExists, status.error_message()};
    case grpc::StatusCode::FAILED_PRECONDITION:
      return {ErrorCode::kConflict, status.error_message()};
    case grpc::StatusCode::ABORTED:
      return {ErrorCode::kIdempotencyMismatch, status.error_message()};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return {ErrorCode::kDeadlineExceeded, "the request timed out"};
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return {ErrorCode::kUnavailable, "a backing service is unavailable"};
    case grpc::StatusCode::OK:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::DO_NOT_USE:
      break;
  }
  return {ErrorCode::kInternal, "internal error"};
}

}  // namespace merch
