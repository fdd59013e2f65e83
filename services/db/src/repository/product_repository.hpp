#pragma once

#include <optional>
#include <string>
#include <vector>

#include "merch/common/error.hpp"
#include "repository/database.hpp"
#include "repository/records.hpp"

namespace merch::db {

// The catalogue. Thread-safe.
class ProductRepository {
 public:
  explicit ProductRepository(Database& database) : database_(database) {}

  // By id; `category` matches exactly.
  Result<std::vector<ProductRecord>> List(Deadline deadline,
                                          const std::optional<std::string>& category, Page page);
  Result<ProductRecord> Get(Deadline deadline, std::int64_t id);

 private:
  Database& database_;
};

}  // namespace merch::db
