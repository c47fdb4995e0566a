#include "kube/apiserver/store/store.hpp"

#include <algorithm>

#include "kube/apiserver/store/object_json.hpp"

namespace podvisor::kube::apiserver {

namespace {

// Old log rows are removed every this many writes rather than on each one: one batch of
// deletes instead of B-tree updates on every write. The log then holds up to trim_batch
// more events than the window; load() rebuilds only the newest history_size.
constexpr std::uint64_t trim_batch = 64;

std::string describe(const object_key& key) {
  std::string out = key.resource + " \"";
  if (!key.namespace_.empty())
    out += key.namespace_ + "/";
  out += key.name + "\"";
  return out;
}

store_error not_found(const object_key& key) {
  return {store_errc::not_found, describe(key) + " not found"};
}

} // namespace

store_result<std::unique_ptr<store>> store::open(store_options options) {
  if (options.history_size == 0)
    return store_error{store_errc::invalid, "history_size must be at least 1"};
  if (options.watch_queue_capacity == 0)
    return store_error{store_errc::invalid, "watch_queue_capacity must be at least 1"};
  auto db = persistence::open(options.data_dir, options.sync);
  if (!db)
    return db.error();
  auto loaded = db.value()->load(options.history_size);
  if (!loaded)
    return loaded.error();
  std::unique_ptr<store> s(new store(std::move(options), std::move(db).value()));
  auto& state = loaded.value();
  s->rv_.store(state.resource_version);
  s->published_rv_.store(state.resource_version);
  s->history_.assign(std::make_move_iterator(state.events.begin()),
                     std::make_move_iterator(state.events.end()));
  for (auto& [key, object] : state.objects)
    s->objects_.emplace(index_key(key), std::move(object));
  return s;
}

store::store(store_options options, std::unique_ptr<persistence> db)
  : options_(std::move(options)), db_(std::move(db)) {}

store::~store() {
  std::lock_guard lock(watchers_mu_);
  for (auto& [resource, queues] : watchers_)
    for (auto& queue : queues)
      queue->finish("store closed");
}

store_result<stored_object> store::get(const object_key& key) const {
  auto index = index_key(key);
  std::shared_lock lock(state_mu_);
  auto it = objects_.find(index);
  if (it == objects_.end())
    return not_found(key);
  return it->second;
}

list_result store::list(std::string_view resource, std::optional<std::string_view> namespace_) const {
  auto prefix = index_prefix(resource, namespace_);
  list_result out;
  std::shared_lock lock(state_mu_);
  for (auto it = objects_.lower_bound(prefix);
       it != objects_.end() && std::string_view(it->first).starts_with(prefix); ++it)
    out.items.push_back(it->second);
  out.resource_version = rv_.load(std::memory_order_relaxed);
  return out;
}

std::size_t store::size() const {
  std::shared_lock lock(state_mu_);
  return objects_.size();
}

store_result<stored_object> store::create(const object_key& key, std::string_view text) {
  // Parse before taking the writer lock: it is the costly part and needs no state.
  auto doc = parse_object(text, key);
  if (!doc)
    return doc.error();
  return create_parsed(key, std::move(doc).value());
}

store_result<stored_object> store::create_parsed(const object_key& key, nlohmann::json doc) {
  if (auto ok = check_key(key); !ok)
    return ok.error();
  if (auto ok = check_object(doc, key); !ok)
    return ok.error();
  auto index = index_key(key);
  pending_wakes wake;
  std::lock_guard writer(writer_mu_);
  // Only writers change objects_, and we are the writer: no state lock needed to read.
  if (objects_.contains(index))
    return store_error{store_errc::already_exists, describe(key) + " already exists"};
  auto text = stamp_object(doc, rv_.load(std::memory_order_relaxed) + 1);
  return commit(event_type::added, key, std::move(index), std::move(text), nullptr, wake);
}

store_result<update_result> store::update(const object_key& key, std::string_view text,
                                          const preconditions& pre) {
  auto doc = parse_object(text, key);
  if (!doc)
    return doc.error();
  return update_parsed(key, std::move(doc).value(), pre);
}

store_result<update_result> store::update_parsed(const object_key& key, nlohmann::json doc,
                                                 const preconditions& pre) {
  if (auto ok = check_key(key); !ok)
    return ok.error();
  if (auto ok = check_object(doc, key); !ok)
    return ok.error();
  auto index = index_key(key);
  pending_wakes wake;
  std::lock_guard writer(writer_mu_);
  auto it = objects_.find(index);
  if (it == objects_.end())
    return not_found(key);
  const stored_object current = it->second;
  if (auto ok = check(current, pre); !ok)
    return ok.error();
  // A no-op: the new object, stamped with the current RV, is the stored text.
  if (stamp_object(doc, current.rv) == current.text())
    return update_result{current, false};
  auto text = stamp_object(doc, rv_.load(std::memory_order_relaxed) + 1);
  auto stored = commit(event_type::modified, key, std::move(index), std::move(text), &current, wake);
  if (!stored)
    return stored.error();
  return update_result{std::move(stored).value(), true};
}

store_result<stored_object> store::remove(const object_key& key, const preconditions& pre) {
  if (auto ok = check_key(key); !ok)
    return ok.error();
  auto index = index_key(key);
  pending_wakes wake;
  std::lock_guard writer(writer_mu_);
  auto it = objects_.find(index);
  if (it == objects_.end())
    return not_found(key);
  const stored_object current = it->second;
  if (auto ok = check(current, pre); !ok)
    return ok.error();
  // The final state is the stored object with the RV of the deletion, as kube-apiserver
  // reports it.
  auto doc = parse_stored(current.text());
  if (doc.is_discarded())
    return store_error{store_errc::io_error, describe(key) + ": stored object is not JSON"};
  auto text = stamp_object(doc, rv_.load(std::memory_order_relaxed) + 1);
  return commit(event_type::deleted, key, std::move(index), std::move(text), &current, wake);
}

store_result<bool> store::check(const stored_object& current, const preconditions& pre) {
  // The messages are what Kubernetes puts after `Operation cannot be fulfilled on R "N": `.
  if (pre.resource_version && *pre.resource_version != current.rv)
    return store_error{store_errc::conflict,
                       "the object has been modified; please apply your changes to the latest "
                       "version and try again"};
  if (pre.uid) {
    auto uid = object_uid(parse_stored(current.text()));
    if (uid != *pre.uid)
      return store_error{store_errc::conflict, "Precondition failed: UID in precondition: " +
                                                 *pre.uid + ", UID in object meta: " + uid};
  }
  return true;
}

store_result<stored_object> store::commit(event_type type, const object_key& key, std::string index,
                                          std::string text, const stored_object* previous,
                                          pending_wakes& wake) {
  const std::uint64_t rv = rv_.load(std::memory_order_relaxed) + 1;
  change_record record;
  record.type = type;
  record.rv = rv;
  record.key = &key;
  record.object = &text;
  if (previous != nullptr)
    record.previous_rv = previous->rv;
  if (rv % trim_batch == 0 && rv > options_.history_size)
    record.trim_through = rv - options_.history_size;
  if (auto ok = db_->commit(record); !ok)
    return ok.error(); // nothing written, the counter has not moved

  stored_object stored{rv, std::make_shared<const std::string>(std::move(text))};
  auto event = std::make_shared<watch_event>();
  event->type = type;
  event->rv = rv;
  event->key = key;
  event->object = stored.json;
  if (previous != nullptr)
    event->previous = previous->json;
  {
    std::unique_lock lock(state_mu_);
    if (type == event_type::deleted)
      objects_.erase(index);
    else
      objects_.insert_or_assign(std::move(index), stored);
    history_.push_back(event);
    while (history_.size() > options_.history_size)
      history_.pop_front();
    rv_.store(rv, std::memory_order_release);
  }
  // Still under writer_mu_, so every queue receives events in RV order.
  publish(event, wake);
  published_rv_.store(rv, std::memory_order_release);
  return stored;
}

void store::publish(const event_ptr& event, pending_wakes& wake) {
  std::lock_guard lock(watchers_mu_);
  auto it = watchers_.find(event->key.resource);
  if (it == watchers_.end())
    return;
  auto& queues = it->second;
  for (std::size_t i = 0; i < queues.size();) {
    switch (queues[i]->offer(event)) {
      case detail::watch_queue::offered::skipped:
      case detail::watch_queue::offered::queued:
        ++i;
        continue;
      case detail::watch_queue::offered::wake:
        wake.queues.push_back(queues[i]);
        ++i;
        continue;
      case detail::watch_queue::offered::dead:
        // Closed or cut off: forget it (order among watchers does not matter).
        queues[i] = std::move(queues.back());
        queues.pop_back();
        continue;
    }
  }
  if (queues.empty())
    watchers_.erase(it);
}

store::pending_wakes::~pending_wakes() {
  for (auto& queue : queues)
    queue->wake();
}

std::uint64_t store::oldest_resumable_rv() const {
  std::shared_lock lock(state_mu_);
  return oldest_resumable_rv_locked();
}

std::uint64_t store::oldest_resumable_rv_locked() const {
  // A watch from N needs every event after N: N + 1 must be the oldest retained event or
  // later. With no history (fresh store), only the current RV qualifies.
  return history_.empty() ? rv_.load(std::memory_order_relaxed) : history_.front()->rv - 1;
}

store_result<std::shared_ptr<watch_stream>> store::watch(const watch_request& request) {
  if (request.resource.empty())
    return store_error{store_errc::invalid, "resource must not be empty"};
  detail::watch_filter filter{request.resource, request.namespace_, 0};
  std::vector<event_ptr> backlog;
  auto capacity = request.queue_capacity > 0 ? request.queue_capacity : options_.watch_queue_capacity;

  // Snapshot and registration under one shared lock: a write publishes to memory under
  // the exclusive lock before it fans out, so an event is either in the snapshot (and
  // then filtered by min_rv when it reaches the queue) or reaches the registered queue.
  std::shared_lock lock(state_mu_);
  const std::uint64_t now = rv_.load(std::memory_order_relaxed);
  if (request.from_rv == 0) {
    std::optional<std::string_view> ns;
    if (request.namespace_)
      ns = *request.namespace_;
    auto prefix = index_prefix(request.resource, ns);
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
      auto event = std::make_shared<watch_event>();
      event->type = event_type::added;
      event->rv = it->second.rv;
      event->key = key_from_index(it->first);
      event->object = it->second.json;
      backlog.push_back(std::move(event));
    }
    filter.min_rv = now;
  } else {
    auto oldest = oldest_resumable_rv_locked();
    if (request.from_rv < oldest)
      return store_error{store_errc::gone, "too old resource version: " + std::to_string(request.from_rv) +
                                             " (" + std::to_string(oldest) + ")"};
    auto first = std::upper_bound(history_.begin(), history_.end(), request.from_rv,
                                  [](std::uint64_t rv, const event_ptr& e) { return rv < e->rv; });
    for (auto it = first; it != history_.end(); ++it) {
      const auto& e = **it;
      if (e.key.resource == request.resource &&
          (!request.namespace_ || e.key.namespace_ == *request.namespace_))
        backlog.push_back(*it);
    }
    filter.min_rv = std::max(request.from_rv, now);
  }
  auto queue = std::make_shared<detail::watch_queue>(std::move(filter), std::move(backlog), capacity);
  {
    std::lock_guard registry(watchers_mu_);
    auto& queues = watchers_[request.resource];
    std::erase_if(queues, [](const auto& q) { return q->done(); });
    queues.push_back(queue);
  }
  return std::make_shared<watch_stream>(std::move(queue));
}

} // namespace podvisor::kube::apiserver
