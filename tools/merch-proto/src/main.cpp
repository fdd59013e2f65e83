// merch-proto: the protobuf encoding questions of the log pipeline, answered on the command line.
//
//   merch-proto decode [--type NAME] [FILE]   the wire-format fields of a serialized message
//                                             (from FILE, or stdin), named and typed when NAME
//                                             is a known type (e.g. merch.v1.LogMessage)
//   merch-proto compare [FILE]                a LogMessage's protobuf size beside its JSON sizes
//                                             (FILE: a serialized LogMessage; default a sample)
//   merch-proto types                         the known merch.v1 types
//
// Exit status: 0 done, 1 malformed input, 2 wrong usage, 3 a file could not be read.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "compare.hpp"
#include "decode.hpp"

namespace {

constexpr int kExitMalformed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitIo = 3;

constexpr const char* kUsage =
    "usage: merch-proto decode [--type NAME] [FILE]\n"
    "       merch-proto compare [FILE]\n"
    "       merch-proto types\n";

int Usage(const std::string& problem) {
  std::cerr << "merch-proto: " << problem << "\n" << kUsage;
  return kExitUsage;
}

std::optional<std::string> ReadInput(const std::optional<std::string>& path) {
  if (!path || *path == "-") {
    std::ostringstream data;
    data << std::cin.rdbuf();
    return data.str();
  }
  std::ifstream file(*path, std::ios::binary);
  if (!file) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

int Decode(const std::vector<std::string>& args) {
  std::optional<std::string> type_name;
  std::optional<std::string> path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--type") {
      if (i + 1 >= args.size()) return Usage("--type needs a message type name");
      type_name = args[++i];
    } else if (args[i].rfind("--type=", 0) == 0) {
      type_name = args[i].substr(7);
    } else if (args[i].size() > 1 && args[i][0] == '-') {
      return Usage("unknown option " + args[i]);
    } else if (path) {
      return Usage("one input file at most");
    } else {
      path = args[i];
    }
  }
  const google::protobuf::Descriptor* type = nullptr;
  if (type_name) {
    type = merch::proto_inspect::FindKnownType(*type_name);
    if (type == nullptr) {
      return Usage("unknown message type " + *type_name + " (merch-proto types lists them)");
    }
  }
  const auto input = ReadInput(path);
  if (!input) {
    std::cerr << "merch-proto: cannot read " << *path << "\n";
    return kExitIo;
  }
  auto text = merch::proto_inspect::Decode(*input, type);
  if (!text) {
    std::cerr << "merch-proto: " << text.error().detail << "\n";
    return kExitMalformed;
  }
  std::cout << (type != nullptr ? type->full_name() : std::string("message without a type")) << ", "
            << input->size() << " bytes\n"
            << *text;
  return 0;
}

int Compare(const std::vector<std::string>& args) {
  if (args.size() > 1) return Usage("one input file at most");
  merch::v1::LogMessage message = merch::proto_inspect::SampleLogMessage();
  if (!args.empty()) {
    const auto input = ReadInput(args[0]);
    if (!input) {
      std::cerr << "merch-proto: cannot read " << args[0] << "\n";
      return kExitIo;
    }
    if (!message.ParseFromString(*input)) {
      std::cerr << "merch-proto: the input is not a serialized merch.v1.LogMessage\n";
      return kExitMalformed;
    }
  }
  auto sizes = merch::proto_inspect::CompareSizes(message);
  if (!sizes) {
    std::cerr << "merch-proto: the logging service would not publish this message: "
              << sizes.error().detail << "\n";
    return kExitMalformed;
  }
  std::cout << "merch.v1.LogMessage (" << (args.empty() ? "a sample http.access event" : args[0])
            << ")\n"
            << merch::proto_inspect::FormatComparison(*sizes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + std::min(argc, 2), argv + argc);
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "decode") return Decode(args);
    if (command == "compare") return Compare(args);
    if (command == "types") {
      for (const auto& name : merch::proto_inspect::KnownTypeNames()) std::cout << name << "\n";
      return 0;
    }
    if (command == "--help" || command == "-h") {
      std::cout << kUsage;
      return 0;
    }
    return Usage(command.empty() ? "a command is needed" : "unknown command " + command);
  } catch (const std::exception& error) {
    std::cerr << "merch-proto: " << error.what() << "\n";
    return kExitIo;
  }
}
