// The decoder against protobuf's own serializer: what protobuf writes, merch-proto reads back,
// field by field, with and without the type.
#include "decode.hpp"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "compare.hpp"
#include "merch/v1/logging.pb.h"

namespace merch::proto_inspect {
namespace {

using namespace std::string_literals;
namespace pb = google::protobuf;

// A proto2 type with a field of every kind, built at run time (the merch.v1 messages have no
// floats, fixed-width, zigzag, packed or group fields).
constexpr const char* kEveryKind = R"pb(
  name: "every_kind.proto"
  package: "test"
  syntax: "proto2"
  message_type {
    name: "EveryKind"
    field { name: "i32" number: 1 label: LABEL_OPTIONAL type: TYPE_INT32 }
    field { name: "i64" number: 2 label: LABEL_OPTIONAL type: TYPE_INT64 }
    field { name: "u32" number: 3 label: LABEL_OPTIONAL type: TYPE_UINT32 }
    field { name: "u64" number: 4 label: LABEL_OPTIONAL type: TYPE_UINT64 }
    field { name: "s32" number: 5 label: LABEL_OPTIONAL type: TYPE_SINT32 }
    field { name: "s64" number: 6 label: LABEL_OPTIONAL type: TYPE_SINT64 }
    field { name: "flag" number: 7 label: LABEL_OPTIONAL type: TYPE_BOOL }
    field {
      name: "colour"
      number: 8
      label: LABEL_OPTIONAL
      type: TYPE_ENUM
      type_name: ".test.Colour"
    }
    field { name: "f64" number: 9 label: LABEL_OPTIONAL type: TYPE_FIXED64 }
    field { name: "sf64" number: 10 label: LABEL_OPTIONAL type: TYPE_SFIXED64 }
    field { name: "d" number: 11 label: LABEL_OPTIONAL type: TYPE_DOUBLE }
    field { name: "f32" number: 12 label: LABEL_OPTIONAL type: TYPE_FIXED32 }
    field { name: "sf32" number: 13 label: LABEL_OPTIONAL type: TYPE_SFIXED32 }
    field { name: "f" number: 14 label: LABEL_OPTIONAL type: TYPE_FLOAT }
    field { name: "text" number: 15 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "blob" number: 16 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field {
      name: "child"
      number: 17
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".test.EveryKind"
    }
    field {
      name: "packed"
      number: 18
      label: LABEL_REPEATED
      type: TYPE_INT32
      options { packed: true }
    }
    field {
      name: "group"
      number: 19
      label: LABEL_OPTIONAL
      type: TYPE_GROUP
      type_name: ".test.EveryKind.Group"
    }
    field { name: "unpacked" number: 20 label: LABEL_REPEATED type: TYPE_SINT32 }
    nested_type {
      name: "Group"
      field { name: "inside" number: 21 label: LABEL_OPTIONAL type: TYPE_INT32 }
    }
  }
  enum_type {
    name: "Colour"
    value { name: "RED" number: 0 }
    value { name: "BLUE" number: 1 }
  }
)pb";

class EveryKind : public testing::Test {
 protected:
  void SetUp() override {
    pb::FileDescriptorProto file;
    ASSERT_TRUE(pb::TextFormat::ParseFromString(kEveryKind, &file));
    ASSERT_NE(pool_.BuildFile(file), nullptr);
    type_ = pool_.FindMessageTypeByName("test.EveryKind");
    ASSERT_NE(type_, nullptr);
  }

  std::unique_ptr<pb::Message> Parse(const std::string& text) {
    std::unique_ptr<pb::Message> message(factory_.GetPrototype(type_)->New());
    EXPECT_TRUE(pb::TextFormat::ParseFromString(text, message.get())) << text;
    return message;
  }

  pb::DescriptorPool pool_;
  pb::DynamicMessageFactory factory_{&pool_};
  const pb::Descriptor* type_ = nullptr;
};

TEST_F(EveryKind, DecodesEachFieldAsProtobufWroteIt) {
  const auto message = Parse(R"pb(
    i32: -5
    i64: -9000000000
    u32: 4000000000
    u64: 18446744073709551615
    s32: -3
    s64: -70000000000
    flag: true
    colour: BLUE
    f64: 123456789012
    sf64: -2
    d: 2.5
    f32: 7
    sf32: -8
    f: 0.25
    text: "héllo \"q\"\n"
    blob: "\x00\xff"
    child {
      i32: 150
      child { text: "deep" }
    }
    packed: [ 1, -1, 300 ]
    Group { inside: 9 }
    unpacked: [ -1, 2 ]
  )pb");
  const std::string bytes = message->SerializeAsString();
  const std::string text = Decode(bytes, type_).value();
  for (const std::string line : {
           "field 1 [varint] i32 = -5\n",
           "field 2 [varint] i64 = -9000000000\n",
           "field 3 [varint] u32 = 4000000000\n",
           "field 4 [varint] u64 = 18446744073709551615\n",
           "field 5 [varint] s32 = -3\n",
           "field 6 [varint] s64 = -70000000000\n",
           "field 7 [varint] flag = true\n",
           "field 8 [varint] colour = BLUE (1)\n",
           "field 9 [i64] f64 = 123456789012\n",
           "field 10 [i64] sf64 = -2\n",
           "field 11 [i64] d = 2.5\n",
           "field 12 [i32] f32 = 7\n",
           "field 13 [i32] sf32 = -8\n",
           "field 14 [i32] f = 0.25\n",
           "field 15 [len 11] text = \"héllo \\\"q\\\"\\n\"\n",
           "field 16 [len 2] blob = bytes 00 ff\n",
           "field 17 [len 12] child = test.EveryKind\n",
           "  field 1 [varint] i32 = 150\n",
           "  field 17 [len 6] child = test.EveryKind\n",
           "    field 15 [len 4] text = \"deep\"\n",
           "field 18 [len 13] packed (packed, 3 values) = [1, -1, 300]\n",
           "field 19 [sgroup] group = group\n",
           "  field 21 [varint] inside = 9\n",
           "field 20 [varint] unpacked = -1\n",
           "field 20 [varint] unpacked = 2\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
  }
}

TEST_F(EveryKind, WithoutATypeShowsTheRawValuesAndNestedMessages) {
  const auto message = Parse(R"pb(i32: 150
                                  s32: -3
                                  d: 2.5
                                  f: 0.25
                                  text: "hi"
                                  child { i32: 1 }
                                  blob: "\x01")pb");
  const std::string text = Decode(message->SerializeAsString(), nullptr).value();
  for (const std::string line : {
           "field 1 [varint] = 150 (sint 75)\n",
           "field 5 [varint] = 5 (sint -3)\n",
           "field 11 [i64] = 4612811918334230528 (double 2.5)\n",
           "field 14 [i32] = 1048576000 (float 0.25)\n",
           "field 15 [len 2] = \"hi\"\n",
           "field 17 [len 2] = message\n",
           "  field 1 [varint] = 1 (sint -1)\n",
           "field 16 [len 1] = bytes 01\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
  }
}

TEST_F(EveryKind, AFieldOfAnotherWireTypeIsShownRaw) {
  // Field 15 (a string) sent as a varint: protobuf keeps it as an unknown field.
  const std::string text = Decode("\x78\x05"s, type_).value();
  EXPECT_EQ(text, "field 15 [varint] (expected len for string) = 5 (sint -3)\n");
  EXPECT_EQ(Decode("\xa8\x1f\x01"s, type_).value(),
            "field 501 [varint] (unknown field) = 1 (sint -1)\n");
}

TEST_F(EveryKind, AMalformedNestedMessageIsAnError) {
  // child (field 17) holding a cut-off varint.
  auto text = Decode("\x8a\x01\x02\x08\x96"s, type_);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().detail,
            "malformed input at byte 4: varint is cut off by the end of the input");
  auto packed = Decode("\x92\x01\x01\x96"s, type_);
  ASSERT_FALSE(packed);
  EXPECT_EQ(packed.error().detail,
            "malformed input at byte 3: varint is cut off by the end of the input");
}

TEST(Decode, LogMessageRoundTrip) {
  const merch::v1::LogMessage sample = SampleLogMessage();
  const std::string bytes = sample.SerializeAsString();
  const auto* type = FindKnownType("merch.v1.LogMessage");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(Decode(bytes, type).value(),
            "field 1 [varint] level = INFO (2)\n"
            "field 2 [len 3] service_name = \"api\"\n"
            "field 3 [len 19] message = \"GET /products/1 200\"\n"
            "field 4 [varint] timestamp = 1763740800123\n"
            "field 5 [len 32] trace_id = \"17d69fcd3e28880e84f242f9ede2bfb9\"\n"
            "field 6 [len 11] event = \"http.access\"\n"
            "field 7 [len 18] event_id = \"api-1-000000000042\"\n"
            "field 8 [len 68] attributes_json = "
            "\"{\\\"method\\\":\\\"GET\\\",\\\"path\\\":\\\"/products/"
            "1\\\",\\\"status\\\":200,\\\"latency_ms\\\":1.84}\"\n");
}

TEST(Decode, RandomLogMessagesDecodeToWhatWasSet) {
  std::mt19937_64 random(20261121);
  const auto* type = FindKnownType("merch.v1.LogMessage");
  for (int i = 0; i < 200; ++i) {
    merch::v1::LogMessage message;
    message.set_level(static_cast<merch::v1::LogLevel>(random() % 5));
    message.set_timestamp(static_cast<std::int64_t>(random() >> (random() % 64)));
    std::string text(random() % 300, 'x');
    for (auto& c : text) c = static_cast<char>(' ' + random() % 95);
    message.set_message(text);
    message.set_trace_id(std::to_string(random()));
    const std::string bytes = message.SerializeAsString();
    const std::string typed = Decode(bytes, type).value();
    if (message.timestamp() != 0) {
      EXPECT_NE(typed.find("timestamp = " + std::to_string(message.timestamp()) + "\n"),
                std::string::npos)
          << typed;
    }
    EXPECT_NE(typed.find("trace_id = \"" + message.trace_id() + "\"\n"), std::string::npos)
        << typed;
    EXPECT_TRUE(Decode(bytes, nullptr)) << "without a type: " << typed;
    // Every prefix is either whole fields or a clear error, never a crash.
    for (std::size_t cut = 0; cut < bytes.size(); cut += 7) {
      auto prefix = Decode(std::string_view(bytes).substr(0, cut), type);
      if (!prefix) {
        EXPECT_EQ(prefix.error().detail.rfind("malformed input at byte ", 0), 0u);
      }
    }
  }
}

TEST(Decode, KnownTypes) {
  EXPECT_NE(FindKnownType("merch.v1.LogMessage"), nullptr);
  EXPECT_NE(FindKnownType("merch.v1.User"), nullptr);
  EXPECT_EQ(FindKnownType("merch.v1.Nope"), nullptr);
  const auto names = KnownTypeNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "merch.v1.LogResponse"), names.end());
}

TEST(Compare, ProtobufIsSmallerThanTheJsonTheLoggingServicePublishes) {
  const auto sizes = CompareSizes(SampleLogMessage()).value();
  EXPECT_EQ(sizes.protobuf_bytes, SampleLogMessage().ByteSizeLong());
  EXPECT_LT(sizes.protobuf_bytes, sizes.published_json_bytes);
  EXPECT_EQ(sizes.published_json.size(), sizes.published_json_bytes);
  EXPECT_NE(sizes.published_json.find("\"level\":\"INFO\""), std::string::npos)
      << sizes.published_json;
  EXPECT_NE(FormatComparison(sizes).find("JSON as published to Kafka"), std::string::npos);
  merch::v1::LogMessage invalid;
  EXPECT_FALSE(CompareSizes(invalid));
}

}  // namespace
}  // namespace merch::proto_inspect
