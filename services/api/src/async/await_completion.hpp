#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>

namespace merch::api {

// The one bridge from work that completes on another thread (a gRPC callback, a hashing
// worker) back into a coroutine: starts the work with `start(complete)` and suspends the
// calling coroutine until `complete(value)` is called, once, from any thread; the coroutine
// then resumes on its own executor (for a connection, its strand), never on the other thread.
// While the work is pending it counts as work on that executor, so its io_context keeps
// running. `start` must keep whatever the work uses alive until it calls `complete`.
//
// A plain function returning the operation's awaitable, not a coroutine: as a coroutine,
// `co_return co_await async_initiate(<lambda>)` made GCC 12 destroy the lambda's captures twice
// (a use-after-free, seen under ASan). For the same reason callers pass `start` as a named
// local, never as a temporary inside the co_await expression.
template <class T, class Start>
boost::asio::awaitable<T> AwaitCompletion(Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(T)>(
      [start = std::move(start)](auto handler) mutable {
        auto work = std::make_shared<decltype(boost::asio::make_work_guard(
            boost::asio::get_associated_executor(handler)))>(
            boost::asio::make_work_guard(boost::asio::get_associated_executor(handler)));
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start(std::function<void(T)>([shared, work](T value) {
          boost::asio::post(work->get_executor(),
                            [shared, work, value = std::move(value)]() mutable {
                              (*shared)(std::move(value));
                              work->reset();
                            });
        }));
      },
      boost::asio::use_awaitable);
}

}  // namespace merch::api
