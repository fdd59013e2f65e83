// Every route's success and error paths in-process: the whole request pipeline (routing, auth,
// validation, rendering, problems, events) against FakeDbApi, with a real JWT codec and a real
// password hasher.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <mutex>

#include "routes/api.hpp"
#include "support/fake_db_api.hpp"
#include "support/token_forge.hpp"

namespace merch::api {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kSecret = "routes-test-secret-of-at-least-32-bytes";

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RoutesTest : public ::testing::Test {
 protected:
  struct Reply {
    http::status status;
    std::string body;
    Response response;
    boost::json::value Json() const { return boost::json::parse(body); }
  };

  Reply Send(http::verb method, const std::string& target, std::string body = "",
             const Headers& headers = {}) {
    Request request(method, target, 11);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
    return Send(request);
  }

  Reply Send(Request& request) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, api_.Handle(request), boost::asio::use_future);
    io.run();
    auto response = future.get();
    return {response.result(), response.body(), response};
  }

  static Headers Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

  struct Account {
    std::int64_t id = 0;
    std::string token;
  };

  // Registers and signs in a user named `name`.
  Account SignUp(const std::string& name) {
    const auto registered =
        Send(http::verb::post, "/users/register",
             R"({"sid":")" + name + R"(","username":")" + name + R"(","email":")" + name +
                 R"(@example.com","password":"password-)" + name + R"("})");
    EXPECT_EQ(registered.status, http::status::created) << registered.body;
    const auto login =
        Send(http::verb::post, "/users/login",
             R"({"username":")" + name + R"(","password":"password-)" + name + R"("})");
    EXPECT_EQ(login.status, http::status::ok) << login.body;
    const auto json = login.Json();
    return {json.at("user").at("id").as_int64(), std::string(json.at("token").as_string())};
  }

  // The events emitted so far with this name.
  std::vector<logship::LogEvent> Events(std::string_view name) {
    std::lock_guard lock(events_mutex_);
    std::vector<logship::LogEvent> found;
    for (const auto& event : events_) {
      if (event.event == name) found.push_back(event);
    }
    return found;
  }

  // The reply of a rejected token, and the one auth.failed event its request caused, whose
  // reason contains `reason_part` (each call checks the events since the previous one).
  void ExpectRejectedToken(const Reply& reply, std::string_view reason_part) {
    EXPECT_EQ(reply.status, http::status::unauthorized) << reply.body;
    EXPECT_EQ(reply.response[http::field::www_authenticate], "Bearer");
    EXPECT_EQ(reply.Json().at("detail").as_string(), Api::kTokenRejected);
    ASSERT_FALSE(reason_part.empty());
    const auto failed = Events("auth.failed");
    ASSERT_EQ(failed.size(), auth_failures_seen_ + 1) << "one auth.failed event per rejection";
    auth_failures_seen_ = failed.size();
    const auto reason = std::string(failed.back().attributes.at("reason").as_string());
    EXPECT_NE(reason.find(reason_part), std::string::npos) << reason;
  }

  std::size_t auth_failures_seen_ = 0;
  test_support::FakeDbApi db_;
  auth::JwtCodec jwt_{std::string(kSecret)};
  PasswordHasher hasher_{1, 16};
  Metrics metrics_;
  std::mutex events_mutex_;
  std::vector<logship::LogEvent> events_;
  EventLog events_log_{[this](logship::LogEvent event) {
    std::lock_guard lock(events_mutex_);
    events_.push_back(std::move(event));
  }};
  // Only /metrics reads the shipper; nothing listens at its target.
  logship::LogShipper shipper_{{.target = "127.0.0.1:1",
                                .credentials = grpc::InsecureChannelCredentials(),
                                .server_identity = "",
                                .service_name = "test"}};
  Services services_{.db = db_,
                     .jwt = jwt_,
                     .hasher = hasher_,
                     .events = events_log_,
                     .metrics = metrics_,
                     .shipper = shipper_,
                     .openapi = "openapi: 3.0.3\n"};
  Api api_{services_};

  void TearDown() override { shipper_.Shutdown(std::chrono::steady_clock::now()); }
};

// Whatever method and path a client makes up, its access event stays within the logging
// service's limits (so it is never refused) and the metrics gain no series of its choosing.
TEST_F(RoutesTest, AccessEventsAndMetricsStayBoundedWhateverTheRequest) {
  Request made_up;
  made_up.method_string("BREW");
  made_up.target("/greeting");
  made_up.version(11);
  EXPECT_EQ(Send(made_up).status, http::status::method_not_allowed);
  Request long_method;
  long_method.method_string(std::string(100, 'X'));
  long_method.target("/greeting");
  long_method.version(11);
  Send(long_method);
  const std::string rendered = metrics_.Render();
  EXPECT_NE(rendered.find(R"(method="OTHER")"), std::string::npos);
  EXPECT_EQ(rendered.find("BREW"), std::string::npos);
  EXPECT_EQ(rendered.find("XXXX"), std::string::npos);
  auto access = Events("http.access");
  ASSERT_EQ(access.size(), 2U);
  EXPECT_EQ(access[0].attributes.at("method").as_string(), "BREW");
  EXPECT_EQ(access[1].attributes.at("method").as_string(), std::string(32, 'X') + "\u2026");

  EXPECT_EQ(Send(http::verb::get, "/" + std::string(5000, 'a') + "?q=1").status,
            http::status::not_found);
  access = Events("http.access");
  ASSERT_EQ(access.size(), 3U);
  const std::string path(access[2].attributes.at("path").as_string());
  EXPECT_EQ(path, "/" + std::string(1023, 'a') + "\u2026");
  EXPECT_EQ(access[2].message, "GET " + path + " 404");
}

TEST_F(RoutesTest, EveryDbCallCarriesTheRequestsTraceId) {
  const auto ada = SignUp("ada");
  const auto before = db_.TraceIds().size();
  Send(http::verb::get, "/orders", "",
       {{"X-Request-Id", "trace-me.1"}, {"Authorization", "Bearer " + ada.token}});
  Send(http::verb::post, "/users/register",
       R"({"sid":"777","username":"tp_user","email":"tp@example.com","password":"correct horse"})",
       {{"X-Request-Id", "ignored-by-traceparent"},
        {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  Send(http::verb::get, "/products/1", "", {{"X-Request-Id", "bad id!"}});
  const auto seen = db_.TraceIds();
  ASSERT_EQ(seen.size(), before + 3);
  EXPECT_EQ(seen[before], "trace-me.1");
  EXPECT_EQ(seen[before + 1], "4bf92f3577b34da6a3ce929d0e0e4736");
  // An invalid X-Request-Id is replaced by a generated one, which the call carries.
  EXPECT_EQ(seen[before + 2].size(), 32U);
}

TEST_F(RoutesTest, ASignedInUsersCallsForwardTheirTokenAndNoOtherCallCarriesOne) {
  const auto ada = SignUp("ada");
  const auto before = db_.BearerTokens().size();
  Send(http::verb::get, "/orders", "", {{"Authorization", "Bearer " + ada.token}});
  Send(http::verb::get, "/products/1");
  const auto seen = db_.BearerTokens();
  ASSERT_EQ(seen.size(), before + 2);
  EXPECT_EQ(seen[before], ada.token);  // the db service takes the caller from it
  EXPECT_EQ(seen[before + 1], "");
}

TEST_F(RoutesTest, RegisterCreatesAUserAndStoresOnlyAnArgon2idHash) {
  const auto reply = Send(http::verb::post, "/users/register",
                          R"({"sid":"12010101","username":"Ada_L","email":"Ada@Example.com",)"
                          R"("password":"correct horse"})");
  ASSERT_EQ(reply.status, http::status::created) << reply.body;
  const auto user = reply.Json().as_object();
  EXPECT_EQ(reply.response[http::field::location],
            "/users/" + std::to_string(user.at("id").as_int64()));
  EXPECT_EQ(user.at("sid").as_string(), "12010101");
  EXPECT_EQ(user.at("email").as_string(), "Ada@Example.com");
  EXPECT_TRUE(user.at("is_active").as_bool());
  EXPECT_FALSE(user.contains("password"));
  EXPECT_TRUE(PasswordHasher::HasOwnParameters(db_.PasswordHash(user.at("id").as_int64())));
  EXPECT_TRUE(Events("user.registered").empty());  // the db service writes it (outbox)

  const auto taken = Send(http::verb::post, "/users/register",
                          R"({"sid":"999","username":"ada_l","email":"x@example.com",)"
                          R"("password":"correct horse"})");
  EXPECT_EQ(taken.status, http::status::conflict);
  const auto bad = Send(http::verb::post, "/users/register",
                        R"({"sid":"1","username":"ab","email":"x@example.com","password":"p"})");
  EXPECT_EQ(bad.status, http::status::bad_request);
}

TEST_F(RoutesTest, LoginByUsernameOrSidAndOneAnswerForEveryFailure) {
  const auto account = SignUp("grace");
  for (const auto* body : {R"({"username":"GRACE","password":"password-grace"})",
                           R"({"sid":"grace","password":"password-grace"})"}) {
    const auto reply = Send(http::verb::post, "/users/login", body);
    ASSERT_EQ(reply.status, http::status::ok) << body;
    const auto json = reply.Json();
    EXPECT_EQ(json.at("token_type").as_string(), "Bearer");
    EXPECT_EQ(json.at("expires_in").as_int64(), 86400);
    EXPECT_EQ(json.at("user").at("id").as_int64(), account.id);
  }
  EXPECT_EQ(Events("user.login").size(), 3U);

  const auto wrong =
      Send(http::verb::post, "/users/login", R"({"username":"grace","password":"wrong password"})");
  const auto unknown = Send(http::verb::post, "/users/login",
                            R"({"username":"nobody","password":"wrong password"})");
  ASSERT_EQ(
      Send(http::verb::delete_, "/users/" + std::to_string(account.id), "", Bearer(account.token))
          .status,
      http::status::no_content);
  const auto deactivated =
      Send(http::verb::post, "/users/login", R"({"username":"grace","password":"password-grace"})");
  for (const auto* reply : {&wrong, &unknown, &deactivated}) {
    EXPECT_EQ(reply->status, http::status::unauthorized);
    EXPECT_EQ(reply->response[http::field::www_authenticate], "Bearer");
    EXPECT_EQ(reply->Json().at("detail"), wrong.Json().at("detail"));
  }
  EXPECT_EQ(Events("user.login_failed").size(), 3U);
}

TEST_F(RoutesTest, UsersSeeAndChangeOnlyThemselves) {
  const auto ada = SignUp("ada");
  const auto bob = SignUp("bob");
  const auto own = Send(http::verb::get, "/users/" + std::to_string(ada.id), "", Bearer(ada.token));
  ASSERT_EQ(own.status, http::status::ok);
  EXPECT_EQ(own.Json().at("username").as_string(), "ada");
  EXPECT_EQ(Send(http::verb::get, "/users/" + std::to_string(bob.id), "", Bearer(ada.token)).status,
            http::status::forbidden);
  EXPECT_EQ(Send(http::verb::get, "/users/9999", "", Bearer(ada.token)).status,
            http::status::forbidden);

  const auto renamed = Send(http::verb::patch, "/users/" + std::to_string(ada.id),
                            R"({"username":"ada2","email":"ada2@example.com"})", Bearer(ada.token));
  ASSERT_EQ(renamed.status, http::status::ok) << renamed.body;
  EXPECT_EQ(renamed.Json().at("email").as_string(), "ada2@example.com");
  EXPECT_TRUE(Events("user.updated").empty());  // the db service writes it (outbox)
  EXPECT_EQ(Send(http::verb::patch, "/users/" + std::to_string(ada.id), R"({"username":"BOB"})",
                 Bearer(ada.token))
                .status,
            http::status::conflict);
  EXPECT_EQ(
      Send(http::verb::patch, "/users/" + std::to_string(ada.id), "{}", Bearer(ada.token)).status,
      http::status::bad_request);
}

TEST_F(RoutesTest, APasswordChangeRevokesEarlierTokensWithTheOneRejectionBody) {
  const auto ada = SignUp("ada");
  const auto changed = Send(http::verb::patch, "/users/" + std::to_string(ada.id),
                            R"({"password":"a new password"})", Bearer(ada.token));
  ASSERT_EQ(changed.status, http::status::ok) << changed.body;
  ExpectRejectedToken(Send(http::verb::get, "/orders", "", Bearer(ada.token)), "revoked");
  const auto login =
      Send(http::verb::post, "/users/login", R"({"username":"ada","password":"a new password"})");
  ASSERT_EQ(login.status, http::status::ok);
  const std::string fresh(login.Json().at("token").as_string());
  EXPECT_EQ(Send(http::verb::get, "/orders", "", Bearer(fresh)).status, http::status::ok);
}

TEST_F(RoutesTest, DeactivatedUnknownAndMalformedTokensGetTheSameBodyAndAnEventWithTheReason) {
  const auto ada = SignUp("ada");
  ExpectRejectedToken(Send(http::verb::get, "/orders", "", Bearer(jwt_.Issue(4242, 1, Now()))),
                      "does not exist");
  ExpectRejectedToken(Send(http::verb::get, "/orders", "", Bearer("not.a.token")),
                      "token part is not base64url");
  ExpectRejectedToken(Send(http::verb::get, "/orders"), "no bearer token");
  ASSERT_EQ(
      Send(http::verb::delete_, "/users/" + std::to_string(ada.id), "", Bearer(ada.token)).status,
      http::status::no_content);
  EXPECT_TRUE(Events("user.deactivated").empty());  // the db service writes it (outbox)
  ExpectRejectedToken(Send(http::verb::get, "/orders", "", Bearer(ada.token)), "deactivated");
}

// A token with only the contract's four claims is accepted, and judged by its iat against the
// last password change.
TEST_F(RoutesTest, ATokenWithoutAVersionIsJudgedByItsIssueTime) {
  const auto ada = SignUp("ada");
  const auto token_at = [&](std::int64_t iat) {
    return test_support::ForgeToken(
        R"({"alg":"HS256","typ":"JWT"})",
        R"({"sub":")" + std::to_string(ada.id) + R"(","iat":)" + std::to_string(iat) +
            R"(,"exp":)" + std::to_string(iat + 86400) + R"(,"iss":"sustech-merch-store"})",
        kSecret);
  };
  const auto now = Now();
  db_.SetPasswordChangedAt(ada.id, now - 10);
  EXPECT_EQ(Send(http::verb::get, "/orders", "", Bearer(token_at(now - 5))).status,
            http::status::ok);
  ExpectRejectedToken(Send(http::verb::get, "/orders", "", Bearer(token_at(now - 20))), "revoked");
}

TEST_F(RoutesTest, ProductsAreListedFilteredPagedAndFound) {
  auto all = Send(http::verb::get, "/products");
  ASSERT_EQ(all.status, http::status::ok);
  EXPECT_EQ(all.Json().as_array().size(), 3U);
  EXPECT_EQ(all.Json().as_array()[0].at("price"), boost::json::value(49.99));
  auto apparel = Send(http::verb::get, "/products?category=Apparel");
  ASSERT_EQ(apparel.Json().as_array().size(), 1U);
  EXPECT_NE(apparel.body.find(R"("price":49.99)"), std::string::npos) << apparel.body;
  auto page = Send(http::verb::get, "/products?limit=1&offset=1");
  ASSERT_EQ(page.Json().as_array().size(), 1U);
  EXPECT_EQ(page.Json().as_array()[0].at("id").as_int64(), 2);
  EXPECT_EQ(Send(http::verb::get, "/products?category=Nothing").Json().as_array().size(), 0U);
  for (const char* bad : {"/products?category=", "/products?category=Apparel%00x",
                          "/products?limit=101", "/products?offset=-1"}) {
    EXPECT_EQ(Send(http::verb::get, bad).status, http::status::bad_request) << bad;
  }
  const auto one = Send(http::verb::get, "/products/2");
  ASSERT_EQ(one.status, http::status::ok);
  EXPECT_EQ(one.Json().at("name").as_string(), "SUSTech Water Bottle");
  EXPECT_EQ(one.Json().at("stock").as_int64(), 500);
  EXPECT_EQ(Send(http::verb::get, "/products/99").status, http::status::not_found);
}

TEST_F(RoutesTest, OrdersArePlacedListedCancelledAndRestoreStockOnce) {
  const auto ada = SignUp("ada");
  const auto placed =
      Send(http::verb::post, "/orders", R"({"product_id":1,"quantity":3})", Bearer(ada.token));
  ASSERT_EQ(placed.status, http::status::created) << placed.body;
  const auto order = placed.Json().as_object();
  const std::string path = "/orders/" + std::to_string(order.at("id").as_int64());
  EXPECT_EQ(placed.response[http::field::location], path);
  EXPECT_NE(placed.body.find(R"("total_price":149.97)"), std::string::npos) << placed.body;
  EXPECT_EQ(order.at("status").as_string(), "placed");
  EXPECT_TRUE(order.at("cancelled_at").is_null());
  EXPECT_EQ(db_.Stock(1), 497);
  EXPECT_TRUE(Events("order.placed").empty());  // the db service writes it (outbox)

  Send(http::verb::post, "/orders", R"({"product_id":2,"quantity":1})", Bearer(ada.token));
  const auto list = Send(http::verb::get, "/orders", "", Bearer(ada.token));
  ASSERT_EQ(list.Json().as_array().size(), 2U);
  EXPECT_EQ(list.Json().as_array()[0].at("product_id").as_int64(), 2);  // newest first
  EXPECT_EQ(Send(http::verb::get, path, "", Bearer(ada.token)).body, placed.body);

  const auto cancelled = Send(http::verb::delete_, path, "", Bearer(ada.token));
  ASSERT_EQ(cancelled.status, http::status::ok);
  EXPECT_EQ(cancelled.Json().at("status").as_string(), "cancelled");
  EXPECT_TRUE(cancelled.Json().at("cancelled_at").is_string());
  EXPECT_EQ(db_.Stock(1), 500);
  EXPECT_EQ(Send(http::verb::delete_, path, "", Bearer(ada.token)).status, http::status::conflict);
  EXPECT_EQ(db_.Stock(1), 500);
  EXPECT_TRUE(Events("order.cancelled").empty());  // the db service writes it (outbox)
}

TEST_F(RoutesTest, OrderErrorsAreClearAndOthersOrdersAreInvisible) {
  const auto ada = SignUp("ada");
  const auto bob = SignUp("bob");
  db_.SetStock(3, 1);
  EXPECT_EQ(Send(http::verb::post, "/orders", R"({"product_id":3,"quantity":2})", Bearer(ada.token))
                .status,
            http::status::conflict);
  EXPECT_EQ(
      Send(http::verb::post, "/orders", R"({"product_id":77,"quantity":1})", Bearer(ada.token))
          .status,
      http::status::not_found);
  for (const char* bad :
       {R"({"product_id":1,"quantity":4})", R"({"product_id":1})",
        R"({"product_id":1,"quantity":1.0})", R"({"product_id":1,"quantity":1,"x":1})"}) {
    EXPECT_EQ(Send(http::verb::post, "/orders", bad, Bearer(ada.token)).status,
              http::status::bad_request)
        << bad;
  }
  EXPECT_EQ(db_.OrderCount(), 0U);
  const auto placed =
      Send(http::verb::post, "/orders", R"({"product_id":3,"quantity":1})", Bearer(ada.token));
  ASSERT_EQ(placed.status, http::status::created);
  const std::string path = "/orders/" + std::to_string(placed.Json().at("id").as_int64());
  EXPECT_EQ(Send(http::verb::get, path, "", Bearer(bob.token)).status, http::status::not_found);
  EXPECT_EQ(Send(http::verb::delete_, path, "", Bearer(bob.token)).status, http::status::not_found);
  EXPECT_EQ(Send(http::verb::get, "/orders", "", Bearer(bob.token)).Json().as_array().size(), 0U);
}

TEST_F(RoutesTest, AnIdempotencyKeyReplaysTheOriginalByteForByte) {
  const auto ada = SignUp("ada");
  auto headers = Bearer(ada.token);
  headers.emplace_back("Idempotency-Key", "order-1");
  const auto first = Send(http::verb::post, "/orders", R"({"product_id":1,"quantity":2})", headers);
  ASSERT_EQ(first.status, http::status::created);
  const std::string path = "/orders/" + std::to_string(first.Json().at("id").as_int64());
  ASSERT_EQ(Send(http::verb::delete_, path, "", Bearer(ada.token)).status, http::status::ok);
  const auto again = Send(http::verb::post, "/orders", R"({"product_id":1,"quantity":2})", headers);
  EXPECT_EQ(again.status, http::status::created);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(db_.OrderCount(), 1U);
  EXPECT_TRUE(Events("order.placed").empty());  // the db service writes it (outbox)
  EXPECT_EQ(Send(http::verb::post, "/orders", R"({"product_id":1,"quantity":1})", headers).status,
            http::status::unprocessable_entity);
  auto empty_key = Bearer(ada.token);
  empty_key.emplace_back("Idempotency-Key", "");
  EXPECT_EQ(Send(http::verb::post, "/orders", R"({"product_id":1,"quantity":1})", empty_key).status,
            http::status::bad_request);
}

TEST_F(RoutesTest, ADownDbServiceIsA503WithRetryAfterEverywhere) {
  const auto ada = SignUp("ada");
  ASSERT_EQ(Send(http::verb::get, "/readyz").status, http::status::ok);
  db_.SetAvailable(false);
  for (const auto& [method, target, body] :
       std::vector<std::tuple<http::verb, std::string, std::string>>{
           {http::verb::get, "/products", ""},
           {http::verb::get, "/products/1", ""},
           {http::verb::get, "/orders", ""},
           {http::verb::post, "/orders", R"({"product_id":1,"quantity":1})"},
           {http::verb::get, "/users/" + std::to_string(ada.id), ""},
           {http::verb::post, "/users/login", R"({"username":"ada","password":"password-ada"})"},
           {http::verb::get, "/readyz", ""}}) {
    const auto reply = Send(method, target, body, Bearer(ada.token));
    EXPECT_EQ(reply.status, http::status::service_unavailable) << target;
    EXPECT_EQ(reply.response[http::field::retry_after], "1") << target;
  }
  EXPECT_TRUE(Events("auth.failed").empty());
}

}  // namespace
}  // namespace merch::api
