#include <gtest/gtest.h>

#include "support/harness.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;

class ProductsTest : public ::testing::Test {
 protected:
  grpc::Status List(const v1::ListProductsRequest& request, v1::ListProductsResponse* response) {
    return harness_.Stub().ListProducts(DbServiceHarness::Context().get(), request, response);
  }
  static v1::ListProductsRequest Page(int limit, std::int64_t offset) {
    v1::ListProductsRequest request;
    request.set_limit(limit);
    request.set_offset(offset);
    return request;
  }

  DbServiceHarness harness_;
};

TEST_F(ProductsTest, TheSeededCatalogueComesFirstInIdOrder) {
  v1::ListProductsResponse response;
  ASSERT_TRUE(List(Page(3, 0), &response).ok());
  ASSERT_EQ(response.products_size(), 3);
  const auto& hoodie = response.products(0);
  EXPECT_EQ(hoodie.name(), "SUSTech Hoodie");
  EXPECT_EQ(hoodie.category(), "Apparel");
  EXPECT_EQ(hoodie.price_cents(), 4999);
  EXPECT_EQ(hoodie.slogan(), "Campus colours, all winter long.");
  EXPECT_EQ(hoodie.description(),
            "Heavyweight cotton-blend hoodie with the embroidered SUSTech crest.");
  EXPECT_GT(hoodie.created_at().seconds(), 1700000000);
  EXPECT_EQ(response.products(1).name(), "SUSTech Water Bottle");
  EXPECT_EQ(response.products(1).price_cents(), 1999);
  EXPECT_EQ(response.products(1).category(), "Drinkware");
  EXPECT_EQ(response.products(2).name(), "SUSTech Notebook");
  EXPECT_EQ(response.products(2).price_cents(), 999);
  EXPECT_EQ(response.products(2).category(), "Stationery");
  EXPECT_LT(hoodie.id(), response.products(1).id());
  EXPECT_LT(response.products(1).id(), response.products(2).id());
}

TEST_F(ProductsTest, CategoryMatchesExactlyAndPagesAreStable) {
  auto request = Page(100, 0);
  request.set_category("Apparel");
  v1::ListProductsResponse response;
  ASSERT_TRUE(List(request, &response).ok());
  ASSERT_EQ(response.products_size(), 1);
  EXPECT_EQ(response.products(0).name(), "SUSTech Hoodie");

  request.set_category("apparel");
  response.Clear();
  ASSERT_TRUE(List(request, &response).ok());
  EXPECT_EQ(response.products_size(), 0);

  v1::ListProductsResponse second;
  ASSERT_TRUE(List(Page(1, 1), &second).ok());
  ASSERT_EQ(second.products_size(), 1);
  EXPECT_EQ(second.products(0).name(), "SUSTech Water Bottle");
}

TEST_F(ProductsTest, BadPagesAndCategoriesAreInvalid) {
  v1::ListProductsResponse response;
  for (auto [limit, offset] :
       {std::pair{0, 0L}, {101, 0L}, {-1, 0L}, {10, -1L}, {10, 2147483648L}}) {
    EXPECT_EQ(List(Page(limit, offset), &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << limit << " " << offset;
  }
  auto request = Page(10, 0);
  request.set_category("");
  EXPECT_EQ(List(request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.set_category(std::string(101, 'c'));
  EXPECT_EQ(List(request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ProductsTest, GetProductByIdOrNotFound) {
  v1::ListProductsResponse listed;
  ASSERT_TRUE(List(Page(1, 0), &listed).ok());
  v1::GetProductRequest request;
  request.set_id(listed.products(0).id());
  v1::Product product;
  ASSERT_TRUE(
      harness_.Stub().GetProduct(DbServiceHarness::Context().get(), request, &product).ok());
  EXPECT_EQ(product.SerializeAsString(), listed.products(0).SerializeAsString());

  request.set_id(2147483647);
  const auto status =
      harness_.Stub().GetProduct(DbServiceHarness::Context().get(), request, &product);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "product 2147483647 does not exist");

  for (std::int64_t id : {0L, -1L, 2147483648L}) {
    request.set_id(id);
    EXPECT_EQ(harness_.Stub()
                  .GetProduct(DbServiceHarness::Context().get(), request, &product)
                  .error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << id;
  }
}

}  // namespace
}  // namespace merch::testing
