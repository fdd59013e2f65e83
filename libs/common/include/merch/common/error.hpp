#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace merch {

// One protocol-neutral error code, chosen by cause. It is mapped once to an HTTP status
// (HttpStatus) and once to a gRPC status code (grpc_status.hpp), in both directions.
enum class ErrorCode {
  kInvalidArgument,      // bad input                        400 / INVALID_ARGUMENT
  kUnauthenticated,      // no valid credentials             401 / UNAUTHENTICATED
  kPermissionDenied,     // valid caller, not allowed        403 / PERMISSION_DENIED
  kNotFound,             // no such resource (for the caller) 404 / NOT_FOUND
  kAlreadyExists,        // a unique value is taken          409 / ALREADY_EXISTS
  kConflict,             // state forbids it (stock, status) 409 / FAILED_PRECONDITION
  kIdempotencyMismatch,  // key reused for another request   422 / ABORTED
  kUnavailable,          // a dependency is down             503 / UNAVAILABLE
  kDeadlineExceeded,     // a dependency was too slow        504 / DEADLINE_EXCEEDED
  kInternal,             // a bug; details stay in the log   500 / INTERNAL
};

// An expected failure. `detail` is safe to show to a client: it never holds SQL, stack
// traces or any other internal text.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string detail;
};

std::string_view ToString(ErrorCode code);
int HttpStatus(ErrorCode code);

// The result of an operation that can fail in an expected way.
template <class T>
using Result = boost::system::result<T, Error>;

// Called by Result<T>::value() on an error; an unchecked error is a bug. Boost.System finds it by
// this name (argument-dependent lookup), hence the exception to our naming.
[[noreturn]] void throw_exception_from_error(  // NOLINT(readability-identifier-naming)
    const Error& error, const boost::source_location& location);

}  // namespace merch
