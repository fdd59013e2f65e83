#pragma once

#include <boost/beast/http.hpp>

namespace merch::api {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

}  // namespace merch::api
