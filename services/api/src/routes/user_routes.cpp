// POST /users/register, POST /users/login, GET/PATCH/DELETE /users/{id}.
#include "dto/render.hpp"
#include "dto/requests.hpp"
#include "routes/services.hpp"

namespace merch::api {
namespace {

namespace asio = boost::asio;
namespace v1 = merch::v1;

Error InvalidCredentials() {
  return {ErrorCode::kUnauthenticated, "the username, sid or password is wrong"};
}

// The path's user id, when it is the caller's own. Another user's id is a 403 whether or not
// that user exists, but only for a caller whose token is still valid (checked by the db
// service), so that a revoked token always gets its 401.
asio::awaitable<Result<std::int64_t>> OwnUserId(Services& services, RequestContext& context) {
  auto id = ParsePathId(context.params[0]);
  if (!id) co_return id.error();
  if (*id == context.caller->user_id) co_return *id;
  auto caller = co_await services.db.CheckCaller(DbCall(context), *context.caller);
  if (!caller) co_return caller.error();
  co_return Error{ErrorCode::kPermissionDenied, "you may only access your own user"};
}

// user.registered, user.updated and user.deactivated are written by the db service, in the
// change's own transaction (README, "Log events"); the api emits user.login and
// user.login_failed itself.
asio::awaitable<Result<Reply>> Register(Services& services, RequestContext& context) {
  auto body = ParseRegisterBody(context.request.body());
  if (!body) co_return body.error();
  auto hash = co_await services.hasher.Hash(std::move(body->password));
  if (!hash) co_return hash.error();
  auto user = co_await services.db.RegisterUser(DbCall(context), *body, std::move(*hash));
  if (!user) co_return user.error();
  co_return Reply::Created(RenderUser(*user), "/users/" + std::to_string(user->id()));
}

asio::awaitable<Result<Reply>> Login(Services& services, RequestContext& context) {
  auto body = ParseLoginBody(context.request.body());
  if (!body) co_return body.error();
  auto credentials =
      co_await services.db.GetCredentials(DbCall(context), body->username, body->sid);
  const auto failed = [&](std::string_view reason) {
    services.events.Emit(context, v1::WARN, "user.login_failed",
                         "login failed: " + std::string(reason));
    return InvalidCredentials();
  };
  if (!credentials) {
    if (credentials.error().code != ErrorCode::kNotFound) co_return credentials.error();
    // Spend the time a real check takes, so that timing does not tell who exists.
    auto dummy = co_await services.hasher.VerifyDummy(std::move(body->password));
    if (!dummy) co_return dummy.error();
    co_return failed("unknown user");
  }
  auto matches =
      co_await services.hasher.Verify(credentials->password_hash(), std::move(body->password));
  if (!matches) co_return matches.error();
  if (!*matches) co_return failed("wrong password");
  if (!credentials->user().is_active()) co_return failed("deactivated user");
  const auto& user = credentials->user();
  const std::string token =
      services.jwt.Issue(user.id(), credentials->token_version(), UnixSeconds());
  services.events.Emit(context, v1::INFO, "user.login", "user logged in", {{"user_id", user.id()}});
  co_return Reply::Json(RenderLogin(token, auth::JwtCodec::kLifetimeSeconds, user));
}

asio::awaitable<Result<Reply>> GetUser(Services& services, RequestContext& context) {
  auto id = co_await OwnUserId(services, context);
  if (!id) co_return id.error();
  auto user = co_await services.db.CheckCaller(DbCall(context), *context.caller);
  if (!user) co_return user.error();
  co_return Reply::Json(RenderUser(*user));
}

asio::awaitable<Result<Reply>> UpdateUser(Services& services, RequestContext& context) {
  auto id = co_await OwnUserId(services, context);
  if (!id) co_return id.error();
  auto body = ParseUpdateUserBody(context.request.body());
  if (!body) co_return body.error();
  std::optional<std::string> password_hash;
  if (body->password) {
    auto hash = co_await services.hasher.Hash(std::move(*body->password));
    if (!hash) co_return hash.error();
    password_hash = std::move(*hash);
  }
  auto user =
      co_await services.db.UpdateUser(DbCall(context), *context.caller, std::move(body->username),
                                      std::move(body->email), std::move(password_hash));
  if (!user) co_return user.error();
  co_return Reply::Json(RenderUser(*user));
}

asio::awaitable<Result<Reply>> DeactivateUser(Services& services, RequestContext& context) {
  auto id = co_await OwnUserId(services, context);
  if (!id) co_return id.error();
  auto user = co_await services.db.DeactivateUser(DbCall(context), *context.caller);
  if (!user) co_return user.error();
  co_return Reply::NoContent();
}

}  // namespace

void AddUserRoutes(Router& router, Services& services) {
  // The literal paths first: they are reserved, so GET /users/register is a 405.
  router.Add(
      {http::verb::post, "/users/register", Access::kPublic, BindHandler(Register, services)});
  router.Add({http::verb::post, "/users/login", Access::kPublic, BindHandler(Login, services)});
  router.Add({http::verb::get, "/users/{id}", Access::kSignedIn, BindHandler(GetUser, services)});
  router.Add(
      {http::verb::patch, "/users/{id}", Access::kSignedIn, BindHandler(UpdateUser, services)});
  router.Add({http::verb::delete_, "/users/{id}", Access::kSignedIn,
              BindHandler(DeactivateUser, services)});
}

}  // namespace merch::api
