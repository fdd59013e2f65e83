#pragma once

#include <optional>
#include <string>
#include <string_view>

// Request ids and W3C trace context (api/openapi.yaml, X-Request-Id and traceparent).
namespace merch::api {

// The client's X-Request-Id when it matches ^[A-Za-z0-9._~:+=@/-]{1,128}$, else nullopt.
std::optional<std::string> ValidRequestId(std::string_view header);

// A new random request id: 32 lowercase hex digits (the shape of a W3C trace id).
std::string NewRequestId();

// The trace-id of a valid `traceparent` header ("00-<32 hex>-<16 hex>-<2 hex>", neither id all
// zeros, version not ff), else nullopt.
std::optional<std::string> TraceIdFromTraceparent(std::string_view header);

}  // namespace merch::api
