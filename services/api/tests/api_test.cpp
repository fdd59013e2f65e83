// The request pipeline without a socket: routing, problems, ids, media types and auth, with
// the db service unreachable (so every route that needs it answers 503).
#include "routes/api.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "clients/grpc_db_api.hpp"
#include "merch/testing/process.hpp"

namespace merch::api {
namespace {

class ApiTest : public ::testing::Test {
 protected:
  Response Send(http::verb method, const std::string& target, std::string body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    Request request(method, target, 11);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, api_.Handle(request), boost::asio::use_future);
    io.run();
    return future.get();
  }

  // Nothing listens for the shipper: give up on its queue at once instead of after 2 s.
  void TearDown() override { shipper_.Shutdown(std::chrono::steady_clock::now()); }

  static boost::json::object Problem(const Response& response) {
    EXPECT_EQ(response[http::field::content_type], "application/problem+json");
    return boost::json::parse(response.body()).as_object();
  }

  const std::string unused_ = "127.0.0.1:" + std::to_string(testing::FreePort());
  Metrics metrics_;
  DbClient db_client_{grpc::CreateChannel(unused_, grpc::InsecureChannelCredentials()),
                      std::chrono::milliseconds(300), [](grpc::StatusCode) {}};
  GrpcDbApi db_{db_client_};
  auth::JwtCodec jwt_{std::string(32, 's')};
  PasswordHasher hasher_{1, 4};
  logship::LogShipper shipper_{{.target = unused_,
                                .credentials = grpc::InsecureChannelCredentials(),
                                .server_identity = "",
                                .service_name = "test"}};
  EventLog events_{[this](logship::LogEvent event) { shipper_.Ship(std::move(event)); }};
  Services services_{.db = db_,
                     .jwt = jwt_,
                     .hasher = hasher_,
                     .events = events_,
                     .metrics = metrics_,
                     .shipper = shipper_,
                     .openapi = "openapi: 3.0.3\n"};
  Api api_{services_};
};

TEST_F(ApiTest, GreetingOnBothPaths) {
  for (const char* path : {"/", "/greeting"}) {
    const auto response = Send(http::verb::get, path);
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response.body(), R"({"message":"Welcome to SUSTech Store API"})");
    EXPECT_EQ(response[http::field::content_type], "application/json");
  }
}

TEST_F(ApiTest, UnknownPathsAreProblemsWithTheRequestId) {
  const auto response = Send(http::verb::get, "/nowhere", "", {{"X-Request-Id", "my-request.1"}});
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_EQ(response["X-Request-Id"], "my-request.1");
  const auto problem = Problem(response);
  EXPECT_EQ(problem.size(), 5U);
  EXPECT_EQ(problem.at("status").as_int64(), 404);
  EXPECT_EQ(problem.at("title").as_string(), "Not Found");
  EXPECT_EQ(problem.at("trace_id").as_string(), "my-request.1");
  EXPECT_EQ(Send(http::verb::get, "/products/").result(), http::status::not_found);
}

TEST_F(ApiTest, AnInvalidRequestIdIsReplacedAndATraceparentGivesTheTraceId) {
  auto response = Send(http::verb::get, "/nowhere", "", {{"X-Request-Id", "bad id!"}});
  const std::string generated(response["X-Request-Id"]);
  EXPECT_EQ(generated.size(), 32U);
  EXPECT_EQ(Problem(response).at("trace_id").as_string(), generated);

  response = Send(http::verb::get, "/nowhere", "",
                  {{"X-Request-Id", "rid"},
                   {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  EXPECT_EQ(response["X-Request-Id"], "rid");
  EXPECT_EQ(Problem(response).at("trace_id").as_string(), "4bf92f3577b34da6a3ce929d0e0e4736");

  response = Send(http::verb::get, "/nowhere", "",
                  {{"X-Request-Id", "rid"}, {"traceparent", "00-nonsense"}});
  EXPECT_EQ(Problem(response).at("trace_id").as_string(), "rid");
}

TEST_F(ApiTest, WrongMethodsAreA405WithAllow) {
  auto response = Send(http::verb::get, "/users/register");
  EXPECT_EQ(response.result(), http::status::method_not_allowed);
  EXPECT_EQ(response[http::field::allow], "POST");
  response = Send(http::verb::put, "/products");
  EXPECT_EQ(response.result(), http::status::method_not_allowed);
  EXPECT_EQ(response[http::field::allow], "GET");
  response = Send(http::verb::post, "/users/7");
  EXPECT_EQ(response[http::field::allow], "GET, PATCH, DELETE");
  EXPECT_EQ(Problem(response).at("status").as_int64(), 405);
}

TEST_F(ApiTest, BodiesMustBeJsonBeforeAnythingElse) {
  auto response = Send(http::verb::post, "/orders", "quantity=1", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(response.result(), http::status::unsupported_media_type);
  response = Send(http::verb::post, "/users/register", "{}");
  EXPECT_EQ(response.result(), http::status::unsupported_media_type);
  response = Send(http::verb::post, "/users/register", "{",
                  {{"Content-Type", "Application/JSON; charset=utf-8"}});
  EXPECT_EQ(response.result(), http::status::bad_request);
}

TEST_F(ApiTest, SignedInRoutesNeedABearerToken) {
  for (const auto& authorization : {std::string(), std::string("Basic abc"), std::string("Bearer "),
                                    std::string("Bearer x.y.z")}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    const auto response = Send(http::verb::get, "/orders", "", headers);
    EXPECT_EQ(response.result(), http::status::unauthorized) << authorization;
    EXPECT_EQ(response[http::field::www_authenticate], "Bearer");
  }
}

TEST_F(ApiTest, AValidTokenPassesAuthAndAnUnreachableDbIsA503WithRetryAfter) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto token = jwt_.Issue(5, 1, now);
  auto response = Send(http::verb::get, "/orders", "", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(response.result(), http::status::service_unavailable);
  EXPECT_EQ(response[http::field::retry_after], "1");
  response = Send(http::verb::get, "/products");
  EXPECT_EQ(response.result(), http::status::service_unavailable);
  EXPECT_EQ(Send(http::verb::get, "/readyz").result(), http::status::service_unavailable);
}

TEST_F(ApiTest, BadInputIsA400BeforeTheDbIsAsked) {
  EXPECT_EQ(Send(http::verb::get, "/products/abc").result(), http::status::bad_request);
  EXPECT_EQ(Send(http::verb::get, "/products?limit=0").result(), http::status::bad_request);
  const auto response = Send(http::verb::post, "/users/register", R"({"sid":"1"})",
                             {{"Content-Type", "application/json"}});
  EXPECT_EQ(response.result(), http::status::bad_request);
  EXPECT_EQ(Problem(response).at("detail").as_string(), "username is required");
}

TEST_F(ApiTest, OperationalEndpoints) {
  EXPECT_EQ(Send(http::verb::get, "/healthz").result(), http::status::ok);
  auto response = Send(http::verb::get, "/openapi.yaml");
  EXPECT_EQ(response.body(), "openapi: 3.0.3\n");
  EXPECT_EQ(response[http::field::content_type], "application/yaml");
  Send(http::verb::get, "/greeting");
  response = Send(http::verb::get, "/metrics");
  EXPECT_EQ(response.result(), http::status::ok);
  for (const char* name : {"merch_http_requests_total", "merch_http_request_duration_seconds",
                           "merch_log_queue_depth", "merch_log_events_dropped_total"}) {
    EXPECT_NE(response.body().find(name), std::string::npos) << name;
  }
  EXPECT_NE(response.body().find(R"(route="/greeting")"), std::string::npos);
}

TEST_F(ApiTest, RejectedReadsBecomeProblems) {
  Request request(http::verb::post, "/users/register", 11);
  request.set("X-Request-Id", "big-1");
  const auto response = api_.Reject(request, http::status::payload_too_large);
  EXPECT_EQ(response.result(), http::status::payload_too_large);
  EXPECT_EQ(Problem(response).at("trace_id").as_string(), "big-1");
}

}  // namespace
}  // namespace merch::api
