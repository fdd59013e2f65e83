#include "consumer/event_printer.hpp"

#include "consumer/event_format.hpp"

namespace merch::logs {

EventPrinter::EventPrinter(const LogsOptions& options, bool colour, std::ostream& out,
                           HourlyArchive* archive)
    : trace_id_(options.trace_id),
      json_(options.json),
      max_events_(options.max_events),
      colour_(colour),
      out_(out),
      archive_(archive) {
  if (options.dedupe) shown_ids_.emplace();
}

Result<Shown> EventPrinter::Handle(std::string_view payload, std::int64_t record_ms) {
  auto event = ParseEvent(payload);
  if (!event) {
    // A payload that is not an event belongs to no trace, and to no hour's file.
    if (trace_id_) return Shown::kFilteredOut;
    if (json_) return Shown::kNotJson;
    Print(FormatNotJsonLine(payload, colour_));
    return Shown::kYes;
  }
  if (trace_id_ && !InTrace(*event, *trace_id_)) return Shown::kFilteredOut;
  if (shown_ids_) {
    // An event without a string event_id cannot be told apart from others: it is shown.
    const auto* id = event->if_contains("event_id");
    if (id != nullptr && id->is_string() && !shown_ids_->Insert(id->get_string())) {
      return Shown::kDuplicate;
    }
  }

  const std::string json = OneLine(payload);
  if (archive_ != nullptr) {
    auto appended = archive_->Append(EventTimestamp(*event).value_or(record_ms), json);
    if (!appended) return appended.error();
  }
  Print(json_ ? json : FormatEventLine(*event, colour_));
  return Shown::kYes;
}

void EventPrinter::Print(const std::string& line) {
  out_ << line << '\n' << std::flush;
  ++shown_;
}

}  // namespace merch::logs
