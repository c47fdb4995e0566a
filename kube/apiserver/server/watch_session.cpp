#include "kube/apiserver/server/watch_session.hpp"

#include <algorithm>

#include "kube/apiserver/server/responses.hpp"

namespace podvisor::kube::apiserver {

watch_session::watch_session(const store& db, std::shared_ptr<watch_stream> stream,
                             std::shared_ptr<const resource_entry> entry, object_filter filter,
                             watch_session_options options)
  : db_(db), stream_(std::move(stream)), entry_(std::move(entry)), filter_(std::move(filter)),
    options_(std::move(options)), last_rv_(options_.start_rv), last_sent_(std::chrono::steady_clock::now()) {}

watch_session::~watch_session() {
  close();
}

void watch_session::close() {
  stream_->close();
}

std::string watch_session::line(std::string_view type, const std::string& object_text) {
  std::string out;
  out.reserve(object_text.size() + 32);
  out += R"({"type":")";
  out += type;
  out += R"(","object":)";
  out += object_text;
  out += "}\n";
  return out;
}

std::optional<std::string> watch_session::render(const watch_event& event) {
  std::string_view type;
  const std::string& text = *event.object;
  if (filter_.selects_all()) {
    type = api::to_string(event.type);
  } else {
    auto now = nlohmann::json::parse(text, nullptr, false);
    bool new_match = !now.is_discarded() && filter_.matches(now);
    bool old_match = false;
    if (event.previous) {
      auto before = nlohmann::json::parse(*event.previous, nullptr, false);
      old_match = !before.is_discarded() && filter_.matches(before);
    }
    switch (event.type) {
      case event_type::added:
        if (!new_match)
          return std::nullopt;
        type = "ADDED";
        break;
      case event_type::deleted:
        if (!new_match && !old_match)
          return std::nullopt;
        type = "DELETED";
        break;
      case event_type::modified:
        if (new_match && old_match)
          type = "MODIFIED";
        else if (new_match)
          type = "ADDED"; // entered the selection
        else if (old_match)
          type = "DELETED"; // left the selection
        else
          return std::nullopt;
        break;
    }
  }
  if (!options_.table)
    return line(type, text);
  auto opts = *options_.table;
  opts.column_definitions = !columns_sent_;
  columns_sent_ = true;
  auto object = nlohmann::json::parse(text, nullptr, false);
  auto table = make_table(*entry_, object, opts);
  return line(type, table.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<std::string> watch_session::next(std::chrono::milliseconds max_wait) {
  if (finished_)
    return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  if (now >= options_.deadline) {
    finished_ = true;
    return std::nullopt;
  }
  auto wait = std::min<std::chrono::steady_clock::duration>(max_wait, options_.deadline - now);
  if (options_.bookmarks) {
    auto until_bookmark = last_sent_ + options_.bookmark_interval - now;
    wait = std::max<std::chrono::steady_clock::duration>(
      std::chrono::milliseconds(1), std::min<std::chrono::steady_clock::duration>(wait, until_bookmark));
  }

  std::string out;
  // Drain what is ready (up to a bound, so one chunk stays small) in one chunk.
  for (int i = 0; i < 64; ++i) {
    auto n = stream_->next(i == 0 ? wait : std::chrono::steady_clock::duration::zero());
    if (n.status == watch_status::event) {
      last_rv_ = std::max(last_rv_, n.event->rv);
      if (auto rendered = render(*n.event))
        out += *rendered;
      continue;
    }
    if (n.status == watch_status::terminated) {
      // The client fell behind; like kube-apiserver, end with an error it can act on
      // (informers relist and re-watch).
      out += R"({"type":"ERROR","object":)"
             + status_json(410, "Expired", "watch of " + entry_->plural + " ended: " + n.reason).dump() + "}\n";
      finished_ = true;
      break;
    }
    if (n.status == watch_status::closed) {
      finished_ = true;
      break;
    }
    break; // timeout: nothing more ready
  }
  now = std::chrono::steady_clock::now();
  if (!out.empty()) {
    last_sent_ = now;
    return out;
  }
  if (finished_)
    return std::nullopt;
  if (options_.bookmarks && now - last_sent_ >= options_.bookmark_interval) {
    // Every event up to `published` was offered to this watcher before we read it; the
    // queue is empty now, so all of them were sent: the bookmark cannot skip one.
    auto published = db_.published_rv();
    auto pending = stream_->next(std::chrono::steady_clock::duration::zero());
    if (pending.status == watch_status::event) {
      last_rv_ = std::max(last_rv_, pending.event->rv);
      if (auto rendered = render(*pending.event)) {
        last_sent_ = now;
        return *rendered;
      }
      return std::string();
    }
    last_rv_ = std::max(last_rv_, published);
    nlohmann::json bookmark = {{"kind", entry_->kind},
                               {"apiVersion", entry_->api_version()},
                               {"metadata", {{"resourceVersion", format_resource_version(last_rv_)}}}};
    last_sent_ = now;
    return line("BOOKMARK", bookmark.dump());
  }
  return std::string();
}

} // namespace podvisor::kube::apiserver
