#include "consumer/hourly_archive.hpp"

#include <cerrno>
#include <system_error>
#include <utility>

#include "consumer/event_format.hpp"

namespace merch::logs {
namespace {

constexpr std::size_t kMaxOpenFiles = 4;

Error Unavailable(const std::filesystem::path& path, const std::error_code& error) {
  return {ErrorCode::kUnavailable, path.string() + ": " + error.message()};
}

}  // namespace

HourlyArchive::HourlyArchive(std::filesystem::path dir, std::string topic)
    : dir_(std::move(dir)), topic_(std::move(topic)) {}

Result<HourlyArchive> HourlyArchive::Open(std::filesystem::path dir, std::string topic) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Unavailable(dir, error);
  if (!std::filesystem::is_directory(dir, error)) {
    return Unavailable(dir, std::make_error_code(std::errc::not_a_directory));
  }
  return HourlyArchive(std::move(dir), std::move(topic));
}

Result<void> HourlyArchive::Append(std::int64_t unix_ms, std::string_view json_line) {
  std::string name = HourlyFileName(topic_, unix_ms);
  auto file = open_.find(name);
  if (file == open_.end()) {
    if (open_.size() >= kMaxOpenFiles) open_.clear();
    const auto path = dir_ / name;
    File opened(std::fopen(path.c_str(), "a"));
    if (!opened) return Unavailable(path, std::error_code(errno, std::generic_category()));
    file = open_.emplace(std::move(name), std::move(opened)).first;
  }
  std::FILE* out = file->second.get();
  if (std::fwrite(json_line.data(), 1, json_line.size(), out) != json_line.size() ||
      std::fputc('\n', out) == EOF || std::fflush(out) != 0) {
    const std::error_code error(errno, std::generic_category());
    const auto path = dir_ / file->first;
    open_.erase(file);  // a later event reopens it, in case the disk recovers
    return Unavailable(path, error);
  }
  return {};
}

}  // namespace merch::logs
