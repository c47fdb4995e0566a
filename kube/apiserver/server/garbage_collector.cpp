#include "kube/apiserver/server/garbage_collector.hpp"

#include <set>
#include <string>
#include <vector>

#include "kube/apiserver/server/api_handler.hpp"
#include "kube/apiserver/server/deletion.hpp"
#include "kube/apiserver/server/object_ops.hpp"

namespace podvisor::kube::apiserver {

garbage_collector::garbage_collector(api_handler& server, std::chrono::milliseconds period)
  : server_(server), period_(period), thread_([this] { run(); }) {}

garbage_collector::~garbage_collector() {
  {
    std::lock_guard lock{mu_};
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void garbage_collector::wake() {
  {
    std::lock_guard lock{mu_};
    wake_ = true;
  }
  cv_.notify_all();
}

void garbage_collector::run() {
  std::unique_lock lock{mu_};
  while (!stop_) {
    cv_.wait_for(lock, period_, [this] { return stop_ || wake_; });
    if (stop_)
      break;
    wake_ = false;
    lock.unlock();
    try {
      // Repeat while a sweep made progress: deleting an owner's dependents may orphan
      // their own dependents in turn.
      for (int round = 0; round < 8 && sweep() > 0; ++round) {
      }
    } catch (...) {
      // A malformed stored object must not stop collection of the others; the next
      // sweep tries again.
    }
    lock.lock();
  }
}

namespace {

struct live_object {
  std::shared_ptr<const resource_entry> entry;
  nlohmann::json object;
};

} // namespace

std::size_t garbage_collector::sweep() {
  auto snapshot = server_.registry().snapshot();
  std::vector<live_object> objects;
  std::set<std::string> uids;
  for (const auto& entry : snapshot.entries) {
    for (const auto& item : server_.db().list(store_resource(*entry)).items) {
      auto object = nlohmann::json::parse(item.text(), nullptr, false);
      if (object.is_discarded())
        continue;
      uids.insert(meta_string(object, "uid"));
      objects.push_back({entry, std::move(object)});
    }
  }

  std::size_t acted = 0;
  auto remove = [&](const live_object& o) {
    object_key key{store_resource(*o.entry), meta_string(o.object, "namespace"), meta_string(o.object, "name")};
    delete_options options;
    options.propagation_policy = "Background";
    auto outcome = delete_with_semantics(server_, *o.entry, key, options);
    if (!outcome.error)
      ++acted;
  };

  // Terminating namespaces: delete their content; remove the namespace once it is empty.
  std::set<std::string> terminating_namespaces;
  for (const auto& o : objects)
    if (o.entry->group.empty() && o.entry->kind == "Namespace" && is_terminating(o.object))
      terminating_namespaces.insert(meta_string(o.object, "name"));
  std::set<std::string> nonempty;
  for (const auto& o : objects) {
    if (!o.entry->namespaced)
      continue;
    auto ns = meta_string(o.object, "namespace");
    if (!terminating_namespaces.contains(ns))
      continue;
    nonempty.insert(ns);
    if (!is_terminating(o.object))
      remove(o);
  }
  for (const auto& o : objects) {
    if (!(o.entry->group.empty() && o.entry->kind == "Namespace"))
      continue;
    auto name = meta_string(o.object, "name");
    if (terminating_namespaces.contains(name) && !nonempty.contains(name) && !has_finalizers(o.object)) {
      auto removed = server_.db().remove({store_resource(*o.entry), "", name});
      if (removed)
        ++acted;
    }
  }

  // Owner references: an object all of whose owners are gone is deleted.
  auto orphaned = [](const live_object& o, const std::set<std::string>& live_uids) {
    auto meta = o.object.find("metadata");
    auto refs = meta->find("ownerReferences");
    if (refs == meta->end() || !refs->is_array() || refs->empty())
      return false;
    for (const auto& ref : *refs)
      if (ref.is_object() && live_uids.contains(ref.value("uid", std::string())))
        return false;
    return true;
  };
  std::vector<const live_object*> candidates;
  for (const auto& o : objects)
    if (!is_terminating(o.object) && orphaned(o, uids))
      candidates.push_back(&o);
  if (candidates.empty())
    return acted;
  // The store was read one resource at a time, so an owner created after its resource was
  // read, with a dependent created before the dependent's resource was read (a VM and then
  // its VMI), looks absent. Every owner exists before its dependents (they name its uid), so
  // an owner missing from a second read, made after the first, is really gone.
  std::set<std::string> fresh;
  for (const auto& entry : snapshot.entries)
    for (const auto& item : server_.db().list(store_resource(*entry)).items) {
      auto object = nlohmann::json::parse(item.text(), nullptr, false);
      if (!object.is_discarded())
        fresh.insert(meta_string(object, "uid"));
    }
  for (const auto* o : candidates)
    if (orphaned(*o, fresh))
      remove(*o);
  return acted;
}

} // namespace podvisor::kube::apiserver
