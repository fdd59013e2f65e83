#include "consumer/options.hpp"

#include <charconv>

namespace merch::logs {
namespace {

Error Invalid(std::string reason) { return {ErrorCode::kInvalidArgument, std::move(reason)}; }

// Kafka's own rule for topic names (the logging service checks KAFKA_TOPIC the same way).
bool IsTopicName(std::string_view topic) {
  return !topic.empty() && topic.size() <= 249 &&
         topic.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
             std::string_view::npos;
}

Result<std::int64_t> PositiveInteger(std::string_view name, std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < 1) {
    return Invalid(std::string(name) + " must be a positive integer, got '" + std::string(text) +
                   "'");
  }
  return value;
}

}  // namespace

Result<LogsOptions> ParseLogsOptions(std::span<const std::string> args, const Env& env) {
  LogsOptions options;
  std::optional<std::string> brokers;
  std::optional<std::string> topic;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view name = args[i];
    std::optional<std::string_view> inline_value;
    if (const auto equals = name.find('='); name.starts_with("--") && equals != name.npos) {
      inline_value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }

    // Flags take no value: "--json=yes" is a mistake worth reporting, not ignoring.
    const auto flag = [&](bool& target) -> Result<void> {
      if (inline_value) return Invalid(std::string(name) + " takes no value");
      target = true;
      return {};
    };
    const auto value = [&]() -> Result<std::string> {
      std::string_view text;
      if (inline_value) {
        text = *inline_value;
      } else if (i + 1 < args.size()) {
        text = args[++i];
      } else {
        return Invalid(std::string(name) + " needs a value");
      }
      if (text.empty()) return Invalid(std::string(name) + " needs a value");
      return std::string(text);
    };

    // --help needs nothing else: what follows it is not checked.
    if (name == "--help" || name == "-h") {
      options.help = true;
      return options;
    }
    Result<void> parsed;
    if (name == "--from-beginning") {
      parsed = flag(options.from_beginning);
    } else if (name == "--json") {
      parsed = flag(options.json);
    } else if (name == "--exit-at-end") {
      parsed = flag(options.exit_at_end);
    } else if (name == "--dedupe") {
      parsed = flag(options.dedupe);
    } else if (name == "--brokers" || name == "--topic" || name == "--trace-id" ||
               name == "--hourly-dir" || name == "--max-events") {
      auto text = value();
      if (!text) return text.error();
      if (name == "--brokers") {
        brokers = std::move(*text);
      } else if (name == "--topic") {
        topic = std::move(*text);
      } else if (name == "--trace-id") {
        options.trace_id = std::move(*text);
      } else if (name == "--hourly-dir") {
        options.hourly_dir = std::move(*text);
      } else {
        auto count = PositiveInteger(name, *text);
        if (!count) return count.error();
        options.max_events = *count;
      }
    } else if (name.starts_with("-")) {
      return Invalid("unknown option '" + std::string(name) + "'");
    } else {
      return Invalid("unexpected argument '" + std::string(name) + "'");
    }
    if (!parsed) return parsed.error();
  }

  if (brokers) {
    options.brokers = std::move(*brokers);
  } else {
    auto from_env = env.String("KAFKA_BROKERS", "127.0.0.1:9092");
    if (!from_env) return from_env.error();
    options.brokers = std::move(*from_env);
  }
  if (topic) {
    options.topic = std::move(*topic);
  } else {
    auto from_env = env.String("KAFKA_TOPIC", "log-channel");
    if (!from_env) return from_env.error();
    options.topic = std::move(*from_env);
  }
  if (!IsTopicName(options.topic)) {
    return Invalid("the topic must be 1..249 of [A-Za-z0-9._-], got '" + options.topic + "'");
  }
  return options;
}

}  // namespace merch::logs
