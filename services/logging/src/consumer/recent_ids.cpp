#include "consumer/recent_ids.hpp"

namespace merch::logs {

RecentIds::RecentIds(std::size_t capacity) : ring_(capacity == 0 ? 1 : capacity) {
  seen_.reserve(ring_.size());
}

bool RecentIds::Insert(std::string_view id) {
  if (seen_.contains(id)) return false;
  auto& slot = ring_[next_];
  if (!slot.empty()) seen_.erase(slot);
  slot.assign(id);
  seen_.insert(slot);
  next_ = (next_ + 1) % ring_.size();
  return true;
}

}  // namespace merch::logs
