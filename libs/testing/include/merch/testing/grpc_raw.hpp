#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>

namespace merch::testing {

// Calls `method` with raw protobuf bytes, as a client without generated stubs would (used for
// grpc.health.v1 and server reflection, whose stubs the project does not generate); for
// streaming methods sends the one request and reads one response. Returns the response bytes.
std::string CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                    const std::string& request, grpc::Status* status);

// The serialized grpc.health.v1.HealthCheckResponse for SERVING and NOT_SERVING.
inline constexpr std::string_view kHealthServing{"\x08\x01", 2};
inline constexpr std::string_view kHealthNotServing{"\x08\x02", 2};

// Asks grpc.health.v1.Health/Check about the whole server; returns the raw response, or ""
// when the call failed.
std::string HealthCheck(const std::shared_ptr<grpc::Channel>& channel);

}  // namespace merch::testing
