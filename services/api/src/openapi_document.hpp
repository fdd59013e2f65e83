#pragma once

#include <string_view>
#include <vector>

namespace merch::api {

struct EmbeddedFile {
  std::string_view name;
  std::string_view content;
};

// api/openapi.yaml, compiled into the binary (cmake/EmbedFiles.cmake) and served as is at
// /openapi.yaml.
const std::vector<EmbeddedFile>& OpenApiDocument();

}  // namespace merch::api
