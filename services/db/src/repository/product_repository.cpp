#include "repository/product_repository.hpp"

#include "repository/statements.hpp"

namespace merch::db {

Result<std::vector<ProductRecord>> ProductRepository::List(
    Deadline deadline, const std::optional<std::string>& category, Page page) {
  return database_.Read(
      deadline, [&](pqxx::transaction_base& transaction) -> Result<std::vector<ProductRecord>> {
        const auto rows =
            statements::Exec(transaction, statements::kListProducts,
                             category ? category->c_str() : nullptr, page.limit, page.offset);
        std::vector<ProductRecord> products;
        products.reserve(rows.size());
        for (const auto& row : rows) products.push_back(statements::ReadProduct(row));
        return products;
      });
}

Result<ProductRecord> ProductRepository::Get(Deadline deadline, std::int64_t id) {
  return database_.Read(
      deadline, [&](pqxx::transaction_base& transaction) -> Result<ProductRecord> {
        const auto rows = statements::Exec(transaction, statements::kSelectProduct, id);
        if (rows.empty()) {
          return Error{ErrorCode::kNotFound, "product " + std::to_string(id) + " does not exist"};
        }
        return statements::ReadProduct(rows[0]);
      });
}

}  // namespace merch::db
