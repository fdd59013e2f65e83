#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <string_view>
#include <vector>

#include "merch/common/error.hpp"

// `merch-proto decode`: a serialized message as text, one wire field a line (field number, wire
// type, length, value), nested messages and groups indented below their field. With a type,
// fields get their names and typed values from the type's descriptor; without one, a length-
// delimited payload is shown as text when it is printable UTF-8, else as a nested message when
// it parses as one, else as hex bytes.
namespace merch::proto_inspect {

// The descriptor of a message type of this project (the merch.v1 messages of proto/) or of
// protobuf's well-known types, by full name; nullptr when there is none.
const google::protobuf::Descriptor* FindKnownType(std::string_view full_name);

// The full names of the merch.v1 message types, sorted.
std::vector<std::string> KnownTypeNames();

// The text of `input` decoded as `type` (nullptr: without a type). Malformed input is a
// kInvalidArgument error whose detail names the byte offset.
Result<std::string> Decode(std::string_view input, const google::protobuf::Descriptor* type);

}  // namespace merch::proto_inspect
