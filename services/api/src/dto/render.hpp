#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "merch/v1/db.pb.h"

// The JSON of the REST objects (api/openapi.yaml), from the db service's messages. Field names and
// order are fixed; money has exactly two decimals; times are RFC 3339 UTC with milliseconds.
namespace merch::api {

std::string FormatTimestamp(const google::protobuf::Timestamp& time);

std::string RenderUser(const merch::v1::User& user);
std::string RenderProduct(const merch::v1::Product& product);
std::string RenderProducts(const merch::v1::ListProductsResponse& products);
std::string RenderOrder(const merch::v1::Order& order);
std::string RenderOrders(const merch::v1::ListOrdersResponse& orders);
std::string RenderLogin(const std::string& token, std::int64_t expires_in,
                        const merch::v1::User& user);

}  // namespace merch::api
