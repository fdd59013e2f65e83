#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "http/types.hpp"
#include "merch/common/error.hpp"

namespace merch::api {

struct HttpServerOptions {
  std::string host;
  std::uint16_t port = 0;                         // 0 picks a free port
  std::chrono::milliseconds idle_timeout{30000};  // reading a request, and between requests
  std::size_t body_limit = kMaxBodyBytes;         // larger bodies are a 413
  std::size_t header_limit = std::size_t{16} * 1024;
};

// What the server does with requests; both must not throw.
struct HttpHandlers {
  // Answers a complete request.
  std::function<boost::asio::awaitable<Response>(Request&)> handle;
  // Answers a request that could not be read whole: 413 when its body is over the limit
  // (chunked or not), 400 when it is malformed. `request` holds what was read of it.
  std::function<Response(const Request& request, http::status status)> reject;
};

// HTTP/1.1 over Boost.Beast, one coroutine per connection. It does I/O only: timeouts, the
// body limit, keep-alive, and graceful shutdown; what a request means is up to HttpHandlers.
//
// Requests on a connection are answered one at a time, in order; pipelined requests wait in
// a read buffer bounded to one maximal request (header + body limit), so a client cannot
// queue more than that, and a connection that exceeds it is closed.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, HttpHandlers handlers);

  // Binds and starts accepting; returns the bound port. kUnavailable when it cannot bind.
  Result<std::uint16_t> Start();

  // Stops accepting and marks every later response `Connection: close`, then waits until
  // no request is in flight or `timeout` has passed. Idle connections are left to whoever
  // stops the io_context.
  boost::asio::awaitable<void> Drain(std::chrono::milliseconds timeout);

 private:
  boost::asio::awaitable<void> Accept();
  boost::asio::awaitable<void> Serve(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  const HttpServerOptions options_;
  const HttpHandlers handlers_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};
};

}  // namespace merch::api
