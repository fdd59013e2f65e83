#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace merch::logs {

// The last `capacity` distinct ids seen, for `merch-logs --dedupe`: delivery to Kafka is at
// least once (README, "Log events"), and a resent batch repeats its events' event_ids within
// seconds, far fewer events apart than the window. Memory is bounded: a ring of `capacity`
// strings and a hash set of views into it (about 130 bytes per 36-character id, 13 MB for the
// default window); an id older than the window counts as new again. Not thread-safe.
class RecentIds {
 public:
  static constexpr std::size_t kDefaultCapacity = 100000;

  explicit RecentIds(std::size_t capacity = kDefaultCapacity);

  // Remembers `id`; false when it is already among the remembered ones.
  bool Insert(std::string_view id);

 private:
  std::vector<std::string> ring_;              // fixed size: its strings' buffers never move
  std::size_t next_ = 0;                       // the slot the next new id takes (the oldest one's)
  std::unordered_set<std::string_view> seen_;  // views of ring_'s non-empty slots
};

}  // namespace merch::logs
