#pragma once

#include "merch/v1/db.pb.h"
#include "repository/records.hpp"

// Records to messages. Nothing here can carry a password hash except ToProto(Credentials).
namespace merch::db {

void ToProto(const UserRecord& user, merch::v1::User* message);
void ToProto(const Credentials& credentials, merch::v1::Credentials* message);
void ToProto(const ProductRecord& product, merch::v1::Product* message);
void ToProto(const OrderRecord& order, merch::v1::Order* message);

}  // namespace merch::db
