#include "kube/apiserver/server/deletion.hpp"

#include "kube/apiserver/server/api_handler.hpp"
#include "kube/apiserver/server/object_ops.hpp"

namespace podvisor::kube::apiserver {

namespace {

constexpr int max_attempts = 5;

bool is_kind(const resource_entry& e, std::string_view group, std::string_view kind) {
  return e.group == group && e.kind == kind;
}

std::int64_t pod_grace_period(const nlohmann::json& pod, const delete_options& options) {
  if (options.grace_period_seconds)
    return *options.grace_period_seconds;
  auto spec = pod.find("spec");
  if (spec != pod.end() && spec->is_object()) {
    auto g = spec->find("terminationGracePeriodSeconds");
    if (g != spec->end() && g->is_number_integer())
      return g->get<std::int64_t>();
  }
  return 30; // Kubernetes' default terminationGracePeriodSeconds
}

bool bound_to_node(const nlohmann::json& pod) {
  auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object())
    return false;
  auto n = spec->find("nodeName");
  return n != spec->end() && n->is_string() && !n->get<std::string>().empty();
}

// Removes the owner reference to `uid` from every object that has one (Orphan policy).
void orphan_dependents(api_handler& server, const std::string& uid) {
  for (const auto& entry : server.registry().snapshot().entries) {
    for (const auto& item : server.db().list(store_resource(*entry)).items) {
      if (item.text().find(uid) == std::string::npos)
        continue; // cheap pre-filter before parsing
      auto object = nlohmann::json::parse(item.text(), nullptr, false);
      auto& meta = metadata_of(object);
      auto refs = meta.find("ownerReferences");
      if (refs == meta.end() || !refs->is_array())
        continue;
      auto kept = nlohmann::json::array();
      for (const auto& ref : *refs)
        if (!(ref.is_object() && ref.value("uid", std::string()) == uid))
          kept.push_back(ref);
      if (kept.size() == refs->size())
        continue;
      if (kept.empty())
        meta.erase("ownerReferences");
      else
        meta["ownerReferences"] = kept;
      object_key key{store_resource(*entry), meta.value("namespace", std::string()), meta.value("name", std::string())};
      (void)server.db().update(key, object.dump(), {.resource_version = item.rv});
    }
  }
}

} // namespace

delete_outcome delete_with_semantics(api_handler& server, const resource_entry& entry, const object_key& key,
                                     const delete_options& options) {
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    auto current = server.db().get(key);
    if (!current)
      return {0, {}, current.error()};
    auto object = nlohmann::json::parse(current->text());
    if (options.uid && meta_string(object, "uid") != *options.uid)
      return {0, {}, store_error{store_errc::conflict, "Precondition failed: UID in precondition: " + *options.uid
                                                           + ", UID in object meta: " + meta_string(object, "uid")}};
    if (options.resource_version && current->rv != *options.resource_version)
      return {0, {}, store_error{store_errc::conflict, "Precondition failed: resourceVersion mismatch"}};

    auto now = server.now();
    bool finalizers = has_finalizers(object);
    bool terminating = is_terminating(object);
    auto& meta = metadata_of(object);
    std::optional<nlohmann::json> marked; // the object to write instead of removing it
    int status = 200;

    if (is_kind(entry, "", "Namespace")) {
      if (terminating)
        return {200, current->text(), std::nullopt};
      meta["deletionTimestamp"] = rfc3339(now);
      meta["deletionGracePeriodSeconds"] = 0;
      object["status"]["phase"] = "Terminating";
      marked = std::move(object);
    } else if (is_kind(entry, "", "Pod") && bound_to_node(object) && pod_grace_period(object, options) > 0) {
      auto grace = pod_grace_period(object, options);
      auto current_grace = meta.value("deletionGracePeriodSeconds", std::int64_t{-1});
      // A second DELETE may shorten the grace period, never lengthen it.
      if (terminating && current_grace >= 0 && current_grace <= grace)
        return {200, current->text(), std::nullopt};
      meta["deletionTimestamp"] = rfc3339(now + std::chrono::seconds(grace));
      meta["deletionGracePeriodSeconds"] = grace;
      marked = std::move(object);
    } else if (finalizers) {
      // Already terminating, the request changes nothing unless a grace period runs (a
      // pod's): then this delete (grace period 0 here) ends it, as kube-apiserver does, so
      // that removing the last finalizer completes the deletion (see admit_and_replace).
      if (terminating && meta.value("deletionGracePeriodSeconds", std::int64_t{0}) == 0)
        return {202, current->text(), std::nullopt};
      meta["deletionTimestamp"] = rfc3339(now);
      meta["deletionGracePeriodSeconds"] = 0;
      marked = std::move(object);
      status = 202;
    }

    if (marked) {
      metadata_of(*marked).erase("resourceVersion");
      auto stored = server.db().update(key, marked->dump(), {.resource_version = current->rv});
      if (!stored) {
        if (stored.code() == store_errc::conflict)
          continue;
        return {0, {}, stored.error()};
      }
      server.notify_deleted();
      return {status, stored->object.text(), std::nullopt};
    }

    if (options.propagation_policy == "Orphan")
      orphan_dependents(server, meta_string(object, "uid"));
    auto removed = server.db().remove(key, {.resource_version = current->rv});
    if (!removed) {
      if (removed.code() == store_errc::conflict)
        continue;
      return {0, {}, removed.error()};
    }
    server.notify_deleted();
    return {200, removed->text(), std::nullopt};
  }
  return {0, {}, store_error{store_errc::conflict, "the object kept changing; try again"}};
}

} // namespace podvisor::kube::apiserver
