#include "merch/common/grpc_runtime.hpp"

#include <absl/synchronization/mutex.h>

namespace merch {

void ConfigureGrpcRuntime() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace merch
