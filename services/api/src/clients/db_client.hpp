#pragma once

#include <grpcpp/grpcpp.h>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "async/await_completion.hpp"
#include "clients/call_metadata.hpp"
#include "merch/common/error.hpp"
#include "merch/common/grpc_status.hpp"
#include "merch/logship/trace_context.hpp"
#include "merch/v1/db.grpc.pb.h"

namespace merch::api {

// The db service's asynchronous interface, whose member functions Call takes.
using DbAsync = merch::v1::DbService::StubInterface::async_interface;

// The one place where calls to the db service are made: every call gets the same deadline and
// the request's metadata (CallMetadata), runs on gRPC's callback API (no thread waits for it)
// and resumes the calling coroutine on its own executor. Failures come back as Errors (UNAVAILABLE
// → kUnavailable, so 503; DEADLINE_EXCEEDED → kDeadlineExceeded, so 504). Thread-safe.
class DbClient {
 public:
  // Called with the gRPC status code of every failed call (for metrics).
  using FailureObserver = std::function<void(grpc::StatusCode)>;

  // `channel` to the db service: MakeServiceChannel with the api's mutual TLS credentials.
  DbClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout,
           FailureObserver on_failure);

  template <class Request, class Response>
  using Method = void (DbAsync::*)(grpc::ClientContext*, const Request*, Response*,
                                   std::function<void(grpc::Status)>);

  template <class Request, class Response>
  boost::asio::awaitable<Result<Response>> Call(Method<Request, Response> method,
                                                CallMetadata metadata, Request request) {
    // Lives until gRPC's callback has run, even if the coroutine is destroyed first.
    struct CallState {
      grpc::ClientContext context;
      Request request;
      Response response;
    };
    auto state = std::make_shared<CallState>();
    state->request = std::move(request);
    state->context.set_deadline(std::chrono::system_clock::now() + timeout_);
    if (!metadata.bearer_token.empty()) {
      state->context.AddMetadata("authorization", "Bearer " + std::string(metadata.bearer_token));
    }
    if (!metadata.trace_id.empty()) {
      state->context.AddMetadata(std::string(logship::kTraceIdMetadataKey),
                                 std::string(metadata.trace_id));
    }
    // A named local, not a temporary in the co_await: GCC 12 destroys such temporaries'
    // captures twice.
    auto start = [this, state, method](auto done) {
      (stub_->async()->*method)(&state->context, &state->request, &state->response,
                                [state, done](grpc::Status status) { done(std::move(status)); });
    };
    const grpc::Status status = co_await AwaitCompletion<grpc::Status>(std::move(start));
    if (!status.ok()) {
      if (on_failure_) on_failure_(status.error_code());
      co_return FromGrpcStatus(status);
    }
    co_return std::move(state->response);
  }

  // Whether the db service answers its health check (for /readyz).
  boost::asio::awaitable<bool> Ready();

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<merch::v1::DbService::Stub> stub_;
  std::chrono::milliseconds timeout_;
  FailureObserver on_failure_;
};

}  // namespace merch::api
