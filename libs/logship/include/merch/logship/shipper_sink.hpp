#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>

#include "merch/logship/log_shipper.hpp"

namespace merch::logship {

// A spdlog sink that ships each record as a `service.log` event (the record's level, its
// text as the message, the trace id of the logging thread's TraceScope, else a fresh one), so that a service's own start-up and error lines
// reach Kafka too. Records are shipped without blocking (LogShipper::Ship). The shipper must
// outlive the logger that uses this sink.
class ShipperSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ShipperSink(LogShipper& shipper) : shipper_(shipper) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& record) override;
  void flush_() override {}

 private:
  LogShipper& shipper_;
};

}  // namespace merch::logship
