// The merch-proto binary: output, exit status and messages, as a user runs it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "compare.hpp"

namespace {

struct Outcome {
  int status = -1;
  std::string out;  // stdout and stderr
};

Outcome Command(const std::string& args) {
  Outcome run;
  const std::string command = std::string(MERCH_PROTO_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class Cli : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("merch-proto-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(Cli, DecodesAFileWithAndWithoutTheType) {
  const std::string file =
      Write("sample.bin", merch::proto_inspect::SampleLogMessage().SerializeAsString());
  const Outcome typed = Command("decode --type merch.v1.LogMessage " + file);
  EXPECT_EQ(typed.status, 0) << typed.out;
  EXPECT_EQ(typed.out.rfind("merch.v1.LogMessage, ", 0), 0u) << typed.out;
  EXPECT_NE(typed.out.find("field 1 [varint] level = INFO (2)\n"), std::string::npos) << typed.out;
  const Outcome raw = Command("decode < " + file);
  EXPECT_EQ(raw.status, 0) << raw.out;
  EXPECT_NE(raw.out.find("field 2 [len 3] = \"api\"\n"), std::string::npos) << raw.out;
}

TEST_F(Cli, MalformedInputIsExitStatusOneWithTheOffset) {
  const std::string file = Write("cut.bin", "\x0a\x05hi");
  const Outcome run = Command("decode --type merch.v1.LogMessage " + file);
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out,
            "merch-proto: malformed input at byte 1: length 5 runs past the end (2 bytes left)\n");
}

TEST_F(Cli, WrongUsageIsExitStatusTwo) {
  EXPECT_EQ(Command("").status, 2);
  EXPECT_EQ(Command("frobnicate").status, 2);
  const Outcome unknown = Command("decode --type merch.v1.Nope /dev/null");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.out.find("unknown message type merch.v1.Nope"), std::string::npos);
  EXPECT_EQ(Command("decode --type").status, 2);
  EXPECT_EQ(Command("decode a b").status, 2);
}

TEST_F(Cli, AnUnreadableFileIsExitStatusThree) {
  const Outcome run = Command("decode " + (dir_ / "missing.bin").string());
  EXPECT_EQ(run.status, 3);
  EXPECT_NE(run.out.find("cannot read"), std::string::npos);
}

TEST_F(Cli, ComparesTheSampleAndAGivenMessage) {
  const Outcome sample = Command("compare");
  EXPECT_EQ(sample.status, 0) << sample.out;
  EXPECT_NE(sample.out.find("protobuf (wire format, StreamLogs)"), std::string::npos) << sample.out;
  EXPECT_NE(sample.out.find("JSON as published to Kafka"), std::string::npos) << sample.out;

  auto message = merch::proto_inspect::SampleLogMessage();
  message.set_message(std::string(1000, 'm'));
  const Outcome given = Command("compare " + Write("big.bin", message.SerializeAsString()));
  EXPECT_EQ(given.status, 0) << given.out;
  EXPECT_NE(given.out.find(std::to_string(message.ByteSizeLong()) + " bytes"), std::string::npos)
      << given.out;

  EXPECT_EQ(Command("compare " + Write("bad.bin", "\x0a\x05hi")).status, 1);
  EXPECT_EQ(Command("compare " + Write("empty.bin", "")).status, 1);  // not publishable
}

}  // namespace
