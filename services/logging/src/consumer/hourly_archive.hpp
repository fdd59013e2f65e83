#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "merch/common/error.hpp"

namespace merch::logs {

// Appends events to DIR/<topic>-YYYY-MM-DD-HH.jsonl (the UTC hour of each event), one JSON
// object per line, as the original system's consumer kept its hourly files. Files are opened
// for appending, so a restarted follower adds to them. Each line is flushed at once: a reader
// (or a crash) only ever sees whole lines. Not thread-safe.
class HourlyArchive {
 public:
  // Creates `dir` when missing; kUnavailable naming the folder when that fails.
  static Result<HourlyArchive> Open(std::filesystem::path dir, std::string topic);

  // Appends `json_line` (one line, without its newline) to the file of `unix_ms`'s hour.
  // kUnavailable naming the file when the write fails.
  Result<void> Append(std::int64_t unix_ms, std::string_view json_line);

 private:
  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  using File = std::unique_ptr<std::FILE, FileCloser>;

  HourlyArchive(std::filesystem::path dir, std::string topic);

  std::filesystem::path dir_;
  std::string topic_;
  // The files written lately, by name. Around the end of an hour the partitions' events
  // interleave across two files; keeping both open spares a reopen per event.
  std::map<std::string, File> open_;
};

}  // namespace merch::logs
