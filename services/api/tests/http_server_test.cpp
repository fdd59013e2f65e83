// The HTTP session over a real socket: body limit (plain and chunked), malformed requests,
// keep-alive and pipelining, and draining.
#include "server/http_server.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "merch/testing/wait.hpp"

namespace merch::api {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto port = server_.Start();
    ASSERT_TRUE(port.has_value());
    port_ = *port;
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    thread_.join();
  }

  // Sends raw bytes on a new connection and returns everything read until the server closes
  // it (or, with `responses`, until that many responses have been read).
  std::string Exchange(const std::string& bytes, int responses = 0) {
    asio::io_context client;
    tcp::socket socket(client);
    socket.connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(socket, asio::buffer(bytes));
    std::string received;
    std::array<char, 4096> chunk{};
    boost::system::error_code ec;
    while (!ec) {
      const auto n = socket.read_some(asio::buffer(chunk), ec);
      received.append(chunk.data(), n);
      if (responses > 0 && Count(received, "HTTP/1.1 ") >= responses &&
          received.rfind("\r\n\r\n") != std::string::npos && received.back() == '}') {
        break;
      }
    }
    return received;
  }

  static int Count(const std::string& text, const std::string& what) {
    int count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
    return count;
  }

  asio::io_context io_;
  // GET /hold waits for this gate (cancelled by the test) before it answers.
  asio::steady_timer gate_{io_, std::chrono::steady_clock::time_point::max()};
  std::atomic<int> held_{0};
  HttpServer server_{
      io_,
      {.host = "127.0.0.1",
       .port = 0,
       .idle_timeout = std::chrono::seconds(5),
       .body_limit = std::size_t{64} * 1024,
       .header_limit = std::size_t{16} * 1024},
      {.handle = [this](Request& request) -> asio::awaitable<Response> {
         if (request.target() == "/hold") {
           ++held_;
           co_await gate_.async_wait(asio::as_tuple(asio::use_awaitable));
         }
         Response response(http::status::ok, request.version());
         response.body() = R"({"target":")" + std::string(request.target()) + R"(","bytes":)" +
                           std::to_string(request.body().size()) + "}";
         co_return response;
       },
       .reject =
           [](const Request& request, http::status status) {
             Response response(status, request.version());
             response.body() = R"({"rejected":)" + std::to_string(static_cast<int>(status)) + "}";
             return response;
           }}};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(HttpServerTest, ABodyOverTheLimitIsA413AndTheConnectionCloses) {
  const std::string body(64 * 1024 + 1, 'x');
  const auto reply =
      Exchange("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body);
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0U) << reply.substr(0, 200);
  EXPECT_NE(reply.find(R"({"rejected":413})"), std::string::npos);
  EXPECT_NE(reply.find("Connection: close"), std::string::npos);
}

TEST_F(HttpServerTest, AChunkedBodyOverTheLimitIsA413Too) {
  std::string request = "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 17; ++i) request += "1000\r\n" + std::string(4096, 'y') + "\r\n";
  request += "0\r\n\r\n";
  EXPECT_EQ(Exchange(request).rfind("HTTP/1.1 413", 0), 0U);
}

TEST_F(HttpServerTest, ABodyAtTheLimitIsServed) {
  const std::string body(std::size_t{64} * 1024, 'x');
  const auto reply =
      Exchange("POST /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_NE(reply.find(R"("bytes":65536)"), std::string::npos) << reply.substr(0, 200);
}

TEST_F(HttpServerTest, AMalformedRequestIsA400) {
  EXPECT_EQ(Exchange("NOT HTTP AT ALL\r\n\r\n").rfind("HTTP/1.1 400", 0), 0U);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  const auto reply = Exchange(
      "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto first = reply.find("/first");
  const auto second = reply.find("/second");
  const auto third = reply.find("/third");
  ASSERT_NE(third, std::string::npos) << reply;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_EQ(Count(reply, "HTTP/1.1 200"), 3);
}

// SIGTERM's drain: new connections are refused at once, a request in flight still gets its
// answer, with Connection: close, on a connection that then closes, and Drain returns only
// after that answer.
TEST_F(HttpServerTest, DrainingClosesKeptAliveConnectionsAfterTheirResponse) {
  asio::io_context client;
  tcp::socket kept(client);
  kept.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(kept, asio::buffer(std::string("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")));
  ASSERT_TRUE(testing::WaitFor([&] { return held_ == 1; }, std::chrono::seconds(10)));

  std::promise<void> drained;
  auto done = drained.get_future();
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await server_.Drain(std::chrono::seconds(30));
        drained.set_value();
      },
      asio::detached);
  // The acceptor closes first: new connections are refused.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        tcp::socket probe(client);
        boost::system::error_code ec;
        probe.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
        return static_cast<bool>(ec);
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(done.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "Drain returned with a request in flight";

  asio::post(io_, [this] { gate_.cancel(); });
  std::string received;
  std::array<char, 4096> chunk{};
  boost::system::error_code ec;
  while (!ec) {
    const auto n = kept.read_some(asio::buffer(chunk), ec);
    received.append(chunk.data(), n);
  }
  EXPECT_EQ(ec, asio::error::eof) << "the kept-alive connection ends with a close";
  EXPECT_EQ(received.rfind("HTTP/1.1 200", 0), 0U) << received;
  EXPECT_NE(received.find("Connection: close"), std::string::npos) << received;
  EXPECT_NE(received.find(R"("target":"/hold")"), std::string::npos) << received;
  EXPECT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

}  // namespace
}  // namespace merch::api
