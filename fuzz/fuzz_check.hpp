#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace merch::fuzz {

// A property every input must keep. A broken one aborts, which libFuzzer reports as a crash
// and saves the input (fuzz/README.md: each such input becomes a unit test).
// (clang 14 with libstdc++ has no std::source_location; the builtins give the caller's place.)
inline void Require(bool holds, std::string_view what, const char* file = __builtin_FILE(),
                    int line = __builtin_LINE()) {
  if (holds) return;
  std::fprintf(stderr, "%s:%d: property broken: %.*s\n", file, line, static_cast<int>(what.size()),
               what.data());
  std::abort();
}

inline std::string_view AsText(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace merch::fuzz
