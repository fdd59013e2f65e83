#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>

namespace merch::api {

// The one bridge from work that completes on another thread (a gRPC callback, a hashing
// worker) back into a coroutine: starts the work with `start(complete)` and suspends the
// calling coroutine until `complete(value)` is called, once, from any thread; the coroutine
// then resumes on its own executor (for a connection, its strand), never on the other thread.
// While the work is pending it counts as work on that executor, so its io_context keeps
// running. `start` must keep whatever the work uses alive until it calls `complete`; `complete`
// must be called exactly once.
//
// A plain function returning the operation's awaitable, not a coroutine: as a coroutine,
// `co_return co_await async_initiate(<lambda>)` made GCC 12 destroy the lambda's captures twice
// (a use-after-free, seen under ASan). For the same reason callers pass `start` as a named
// local, never as a temporary inside the co_await expression.
template <class T, class Start>
boost::asio::awaitable<T> AwaitCompletion(Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(T)>(
      [start = std::move(start)](auto handler) mutable {
        // The handler and the one executor that tracks outstanding work (so the io_context keeps
        // running while the work is pending) leave this state when `complete` runs: the handler
        // moves into the posted function and ends on its own executor; the tracking executor
        // ends with `complete`, releasing its strand before its work, so the io_context
        // outlives it. Whatever copies of `complete` the other thread still holds then refer to
        // nothing of the executor and may be destroyed anywhere, at any time.
        auto tracked = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                           boost::asio::execution::outstanding_work.tracked);
        using Handler = decltype(handler);
        using TrackedExecutor = decltype(tracked);
        struct Pending {
          Handler handler;
          TrackedExecutor executor;
        };
        auto pending = std::make_shared<std::optional<Pending>>(
            Pending{std::move(handler), std::move(tracked)});
        start(std::function<void(T)>([pending](T value) {
          Pending taken = std::move(**pending);
          pending->reset();
          const auto target = std::move(taken.executor);
          boost::asio::post(
              target, [handler = std::move(taken.handler), value = std::move(value)]() mutable {
                std::move(handler)(std::move(value));
              });
        }));
      },
      boost::asio::use_awaitable);
}

}  // namespace merch::api
