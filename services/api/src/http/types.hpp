#pragma once

#include <boost/beast/http.hpp>
#include <cstddef>

namespace merch::api {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// The largest request body the api reads (api/openapi.yaml: a larger one, chunked or not, is a
// 413).
inline constexpr std::size_t kMaxBodyBytes = std::size_t{64} * 1024;

}  // namespace merch::api
