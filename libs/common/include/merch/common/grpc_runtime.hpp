#pragma once

namespace merch {

// Settles how the gRPC runtime underneath every service behaves; each service's main calls it
// first, before any gRPC object exists.
//
// Debian's abseil is built without NDEBUG, so absl::Mutex (every lock inside gRPC 1.51) runs
// its deadlock detector: each acquisition records lock-order edges in one process-wide graph
// behind a global spin lock (libabsl_graphcycles_internal in a profile of the store under load,
// in every process). That is a debugging aid with a cost on every lock; release builds of
// abseil leave it off, and so does this.
void ConfigureGrpcRuntime();

}  // namespace merch
