#include "routes/router.hpp"

#include <algorithm>

namespace merch::api {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool IsPlaceholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(Route route) {
  auto found = std::find_if(patterns_.begin(), patterns_.end(),
                            [&](const Pattern& pattern) { return pattern.text == route.pattern; });
  if (found == patterns_.end()) {
    Pattern pattern{.text = route.pattern, .segments = {}, .routes = {}};
    for (auto segment : Split(route.pattern)) pattern.segments.emplace_back(segment);
    patterns_.push_back(std::move(pattern));
    found = std::prev(patterns_.end());
  }
  found->routes.push_back(std::move(route));
}

Router::Match Router::Find(http::verb method, std::string_view path) const {
  const auto segments = Split(path);
  Match match;
  for (const auto& pattern : patterns_) {
    if (pattern.segments.size() != segments.size()) continue;
    std::vector<std::string_view> params;
    bool fits = true;
    for (std::size_t i = 0; i < segments.size() && fits; ++i) {
      if (IsPlaceholder(pattern.segments[i])) {
        fits = !segments[i].empty();
        params.push_back(segments[i]);
      } else {
        fits = pattern.segments[i] == segments[i];
      }
    }
    if (!fits) continue;
    match.path_known = true;
    for (const auto& route : pattern.routes) {
      if (!match.allow.empty()) match.allow += ", ";
      match.allow += std::string(http::to_string(route.method));
      if (route.method == method) {
        match.route = &route;
        match.params = params;
      }
    }
    return match;
  }
  return match;
}

}  // namespace merch::api
