#pragma once

#include "merch/v1/logging.grpc.pb.h"
#include "publisher/publisher.hpp"

namespace merch::logging {

// StreamLogs on gRPC's callback API: reads each message of a stream as raw bytes, parses,
// validates and renders it, publishes the valid ones, and answers once the broker has
// acknowledged all of them (see logging.proto for the statuses). Parsing the bytes here,
// rather than letting gRPC do it, is what lets an unreadable message (e.g. a string that is not
// UTF-8) be refused on its own: gRPC would end the stream at it as if the client had finished.
//
// No thread blocks on a stream: reads complete on gRPC's threads, and the answer is sent from
// the publisher's delivery-report thread. A stream is refused at once with UNAVAILABLE while
// the broker is unreachable; the broker's message timeout bounds how long one waits for its
// acknowledgements. Thread-safe.
class LoggingService final : public merch::v1::LoggingService::WithRawCallbackMethod_StreamLogs<
                                 merch::v1::LoggingService::Service> {
 public:
  explicit LoggingService(Publisher& publisher);

  grpc::ServerReadReactor<grpc::ByteBuffer>* StreamLogs(grpc::CallbackServerContext* context,
                                                        grpc::ByteBuffer* response) override;

 private:
  Publisher& publisher_;
};

}  // namespace merch::logging
