#include "server/http_server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <exception>

namespace merch::api {
namespace {

// The completion of a detached coroutine: an exception that escaped it (a bug, since sessions
// catch what they expect) is logged instead of vanishing silently, as with asio::detached.
auto LogFailure(const char* what) {
  return [what](const std::exception_ptr& failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      spdlog::error("{} ended with an exception: {}", what, e.what());
    } catch (...) {
      spdlog::error("{} ended with an exception that is not a std::exception", what);
    }
  };
}

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

constexpr auto kWriteTimeout = std::chrono::seconds(30);

// Read errors that just mean the client went away or was too slow: close quietly.
bool IsDisconnect(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted || ec == http::error::partial_message;
}

// Beast's category of HTTP parse errors (malformed requests).
const boost::system::error_category& HttpErrors() {
  return http::make_error_code(http::error::bad_target).category();
}

// Half-closes the connection, then reads and discards what the peer still sends, up to
// 1 MiB or one second, so that closing does not reset a connection the peer is writing to.
asio::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(std::chrono::seconds(1));
  std::array<char, 8192> discard{};
  std::size_t total = 0;
  while (total < std::size_t{1024} * 1024) {
    auto [ec, n] =
        co_await stream.async_read_some(asio::buffer(discard), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    total += n;
  }
}

// RAII count of requests in flight, for Drain.
class InFlight {
 public:
  explicit InFlight(std::atomic<int>& count) : count_(count) { ++count_; }
  ~InFlight() { --count_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<int>& count_;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options, HttpHandlers handlers)
    : io_(io),
      options_(std::move(options)),
      handlers_(std::move(handlers)),
      acceptor_(asio::make_strand(io)) {}

Result<std::uint16_t> HttpServer::Start() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return Error{ErrorCode::kInvalidArgument, "bad listen address " + options_.host};
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{ErrorCode::kUnavailable, "cannot listen on " + options_.host + ":" +
                                              std::to_string(options_.port) + ": " + ec.message()};
  }
  const auto port = acceptor_.local_endpoint().port();
  asio::co_spawn(acceptor_.get_executor(), Accept(), LogFailure("the accept loop"));
  return port;
}

asio::awaitable<void> HttpServer::Accept() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_),
                                                        asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted) break;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Serve(std::move(socket)), LogFailure("a session"));
  }
}

asio::awaitable<void> HttpServer::Serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(options_.header_limit + options_.body_limit);
  while (true) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser.body_limit(options_.body_limit);
    stream.expires_after(options_.idle_timeout);
    auto [read_error, bytes] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error && IsDisconnect(read_error)) break;

    std::optional<InFlight> in_flight;
    in_flight.emplace(in_flight_);
    Response response;
    if (read_error == http::error::body_limit) {
      response = handlers_.reject(parser.get(), http::status::payload_too_large);
    } else if (read_error && read_error.category() == HttpErrors()) {
      response = handlers_.reject(parser.get(), http::status::bad_request);
    } else if (read_error) {
      break;  // e.g. the pipelining buffer overflowed: drop the connection
    } else {
      Request request = parser.release();
      response = co_await handlers_.handle(request);
      response.keep_alive(request.keep_alive());
    }
    // After a rejected read the stream position is unknown: close. During shutdown: close.
    if (read_error || stopping_) response.keep_alive(false);
    response.prepare_payload();
    stream.expires_after(kWriteTimeout);
    auto [write_error, written] =
        co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    if (write_error) break;
    if (!response.keep_alive()) {
      // After a rejected read the client (or nginx) may still be sending the body: read and
      // discard it for a while before closing, or the close would reset the connection and
      // the client might never see the response ("lingering close", as nginx does).
      if (read_error) {
        co_await LingeringClose(stream);
      }
      break;
    }
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> HttpServer::Drain(std::chrono::milliseconds timeout) {
  stopping_ = true;
  // Close the acceptor on its own strand, and only then go on: no connection is accepted
  // after Drain has begun waiting.
  co_await asio::post(acceptor_.get_executor(), asio::use_awaitable);
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(acceptor_.get_executor());
  // Polled: in-flight requests are spread over many strands and have nothing to notify.
  while (in_flight_ > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace merch::api
