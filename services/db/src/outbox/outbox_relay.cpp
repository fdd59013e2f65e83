#include "outbox/outbox_relay.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <pqxx/transaction>
#include <stdexcept>
#include <utility>
#include <vector>

#include "merch/common/log_protocol.hpp"
#include "repository/connection.hpp"
#include "repository/statements.hpp"

namespace merch::db {
namespace {

merch::v1::LogMessage ToLogMessage(const pqxx::row& row, const std::string& service_name) {
  merch::v1::LogMessage message;
  merch::v1::LogLevel level = merch::v1::INFO;
  merch::v1::LogLevel_Parse(row["level"].as<std::string>(), &level);
  message.set_level(level);
  message.set_service_name(service_name);
  message.set_message(row["message"].as<std::string>());
  message.set_timestamp(row["timestamp_ms"].as<std::int64_t>());
  message.set_trace_id(row["trace_id"].as<std::string>());
  message.set_event(row["event"].as<std::string>());
  message.set_event_id(row["event_id"].as<std::string>());
  message.set_attributes_json(row["attributes_json"].as<std::string>());
  return message;
}

// The ids as a PostgreSQL array literal, for `= ANY($1::bigint[])`.
std::string IdArray(const std::vector<std::int64_t>& ids) {
  std::string text = "{";
  for (const auto id : ids) {
    if (text.size() > 1) text += ',';
    text += std::to_string(id);
  }
  return text + "}";
}

}  // namespace

OutboxRelay::OutboxRelay(OutboxRelayOptions options, std::shared_ptr<grpc::Channel> logging_channel)
    : options_(std::move(options)),
      stub_(merch::v1::LoggingService::NewStub(std::move(logging_channel))),
      stop_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      commit_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (stop_fd_ < 0 || commit_fd_ < 0) throw std::runtime_error("outbox relay: eventfd failed");
}

OutboxRelay::~OutboxRelay() {
  Stop();
  close(stop_fd_);
  close(commit_fd_);
}

void OutboxRelay::Start() {
  if (!thread_.joinable() && !stopping_) thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Stop() {
  if (stopping_.exchange(true)) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(stop_fd_, &one, sizeof one);
  {
    std::lock_guard lock(in_flight_mutex_);
    if (in_flight_ != nullptr) in_flight_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::Wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(commit_fd_, &one, sizeof one);
}

OutboxRelay::Stats OutboxRelay::GetStats() const {
  return {.relayed = relayed_.load(), .rejected = rejected_.load(), .failures = failures_.load()};
}

std::unique_ptr<pqxx::connection> OutboxRelay::Connect() const {
  return OpenConnection(options_.database_url, options_.statement_timeout);
}

void OutboxRelay::Run() {
  std::unique_ptr<pqxx::connection> connection;
  auto backoff = options_.initial_backoff;
  while (!stopping_) {
    bool shipped = true;
    std::size_t taken = 0;
    try {
      if (!connection) connection = Connect();
      taken = RelayBatch(*connection, &shipped);
    } catch (const std::exception& e) {
      // PostgreSQL went away (or refused a statement): start over on a fresh connection.
      connection.reset();
      shipped = false;
      if (!failing_) spdlog::warn("outbox relay: database failure, retrying: {}", e.what());
    }
    if (!shipped) {
      ++failures_;
      failing_ = true;
      if (!Wait(backoff, false)) break;
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    backoff = options_.initial_backoff;
    // An empty outbox proves the database only: recovered once a batch went through.
    if (failing_ && taken > 0) {
      spdlog::info("outbox relay recovered");
      failing_ = false;
    }
    if (taken == options_.batch_size) continue;  // more may be pending
    // A Wake that came while the batch was in flight announces rows it may not have seen: the
    // eventfd keeps it, and this wait ends at once.
    if (!Wait(options_.poll_interval, true)) break;
    if (!Wait(options_.linger, false)) break;
  }
}

std::size_t OutboxRelay::RelayBatch(pqxx::connection& connection, bool* shipped) {
  *shipped = true;
  pqxx::work transaction(connection);
  const auto rows = statements::Exec(transaction, statements::kLockOutboxBatch,
                                     static_cast<std::int64_t>(options_.batch_size));
  if (rows.empty()) return 0;
  std::vector<merch::v1::LogMessage> batch;
  std::vector<std::int64_t> ids;
  batch.reserve(rows.size());
  ids.reserve(rows.size());
  for (const auto& row : rows) {
    batch.push_back(ToLogMessage(row, options_.service_name));
    ids.push_back(row["id"].as<std::int64_t>());
  }
  std::uint64_t rejected = 0;
  const grpc::Status status = Send(batch, &rejected);
  if (!status.ok() && status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
    if (!stopping_ && !failing_) {
      spdlog::warn("outbox relay: the logging service did not take {} events ({}), retrying",
                   batch.size(), status.error_message());
    }
    *shipped = false;
    return rows.size();  // the transaction rolls back: the rows stay pending
  }
  if (!status.ok()) {
    spdlog::error("outbox relay: the logging service refused {} of {} events: {}", rejected,
                  batch.size(), status.error_message());
  }
  statements::Exec(transaction, statements::kDeleteOutboxEvents, IdArray(ids));
  transaction.commit();
  rejected = std::min<std::uint64_t>(rejected, batch.size());
  relayed_ += batch.size() - rejected;
  rejected_ += rejected;
  return rows.size();
}

grpc::Status OutboxRelay::Send(const std::vector<merch::v1::LogMessage>& batch,
                               std::uint64_t* rejected) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.stream_timeout);
  {
    std::lock_guard lock(in_flight_mutex_);
    if (stopping_) return {grpc::StatusCode::CANCELLED, "stopping"};
    in_flight_ = &context;
  }
  merch::v1::LogResponse response;
  auto writer = stub_->StreamLogs(&context, &response);
  for (const auto& message : batch) {
    if (!writer->Write(message)) break;  // the stream failed; Finish says why
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  {
    std::lock_guard lock(in_flight_mutex_);
    in_flight_ = nullptr;
  }
  *rejected = 0;
  const auto& trailers = context.GetServerTrailingMetadata();
  if (auto found = trailers.find(grpc::string_ref(log_protocol::kRejectedTrailer.data(),
                                                  log_protocol::kRejectedTrailer.size()));
      found != trailers.end()) {
    *rejected =
        std::strtoull(std::string(found->second.data(), found->second.size()).c_str(), nullptr, 10);
  }
  return status;
}

bool OutboxRelay::Wait(std::chrono::milliseconds timeout, bool until_woken) {
  std::vector<pollfd> watched{{.fd = stop_fd_, .events = POLLIN, .revents = 0}};
  if (until_woken) watched.push_back({.fd = commit_fd_, .events = POLLIN, .revents = 0});
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!stopping_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    const int ready = poll(watched.data(), watched.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return !stopping_;
    if (ready > 0) {
      if (until_woken && (watched[1].revents & POLLIN) != 0) {
        std::uint64_t wakes = 0;  // reading resets the count: Wakes from now on end the next wait
        [[maybe_unused]] const auto read_bytes = read(commit_fd_, &wakes, sizeof wakes);
      }
      return !stopping_;
    }
  }
  return false;
}

}  // namespace merch::db
