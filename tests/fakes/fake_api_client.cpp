#include "tests/fakes/fake_api_client.hpp"

#include <charconv>

#include "kube/api/selector.hpp"

namespace podvisor::fakes {

namespace {

using kube::client::watch_event;

std::string resource_id(const kube::client::resource_ref& r) {
  return r.group + "/" + r.plural;
}

std::string key_of(std::string_view ns, std::string_view name) {
  return ns.empty() ? std::string{name} : std::string{ns} + "/" + std::string{name};
}

std::string meta_string(const nlohmann::json& object, const char* field) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object())
    return {};
  const auto& meta = object["metadata"];
  auto it = meta.find(field);
  return it != meta.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

/// A watch or list scope: namespace plus selectors.
struct scope {
  std::string namespace_;
  kube::api::label_matcher labels;
  kube::api::field_matcher fields;
  std::string kind;

  bool matches(const nlohmann::json& object) const {
    if (!namespace_.empty() && meta_string(object, "namespace") != namespace_)
      return false;
    return labels.matches_object(object) && fields.matches(object, kind);
  }
};

expected<scope> make_scope(const kube::client::resource_ref& r, std::string_view ns, const std::string& labels,
                           const std::string& fields) {
  scope s;
  s.namespace_ = r.namespaced ? std::string{ns} : std::string{};
  s.kind = r.kind;
  std::string why;
  auto lm = kube::api::label_matcher::parse(labels, &why);
  if (!lm)
    return podvisor::error{errc::invalid_argument, why};
  s.labels = *lm;
  auto fm = kube::api::field_matcher::parse(fields, &why);
  if (!fm)
    return podvisor::error{errc::invalid_argument, why};
  s.fields = *fm;
  return s;
}

std::uint64_t parse_rv(const std::string& text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

nlohmann::json gone_status() {
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"status", "Failure"},
          {"message", "too old resource version"},
          {"reason", "Expired"},
          {"code", 410}};
}

} // namespace

podvisor::error fake_api_client::begin_call(verb v) {
  std::function<void()> hook;
  {
    std::lock_guard lock{mutex_};
    ++calls_[v];
    changed_.notify_all();
    auto it = hooks_.find(v);
    if (it != hooks_.end())
      hook = it->second;
  }
  if (hook)
    hook();
  std::lock_guard lock{mutex_};
  auto& queue = failures_[v];
  if (queue.empty())
    return {};
  auto e = std::move(queue.front());
  queue.pop_front();
  return e;
}

nlohmann::json fake_api_client::commit(const std::string& resource, const std::string& key, nlohmann::json object,
                                       watch_event::kind type) {
  object["metadata"]["resourceVersion"] = std::to_string(++rv_);
  if (type == watch_event::kind::deleted)
    objects_[resource].erase(key);
  else
    objects_[resource][key] = object;
  history_.push_back({rv_, resource, type, object});
  while (history_.size() > history_limit_) {
    compacted_through_ = history_.front().rv;
    history_.pop_front();
  }
  changed_.notify_all();
  return object;
}

expected<nlohmann::json> fake_api_client::get(const resource_ref& r, std::string_view ns, std::string_view name) {
  if (auto e = begin_call(verb::get))
    return e;
  std::lock_guard lock{mutex_};
  auto& objects = objects_[resource_id(r)];
  auto it = objects.find(key_of(r.namespaced ? ns : std::string_view{}, name));
  if (it == objects.end())
    return podvisor::error{errc::not_found, r.plural + " \"" + std::string{name} + "\" not found"};
  return it->second;
}

expected<kube::client::object_list> fake_api_client::list(const resource_ref& r, std::string_view ns,
                                                          const kube::client::list_options& options) {
  if (auto e = begin_call(verb::list))
    return e;
  auto s = make_scope(r, ns, options.label_selector, options.field_selector);
  if (!s)
    return s.error();
  std::lock_guard lock{mutex_};
  kube::client::object_list result;
  for (const auto& [key, object] : objects_[resource_id(r)])
    if (s->matches(object))
      result.items.push_back(object);
  result.resource_version = std::to_string(rv_);
  return result;
}

expected<nlohmann::json> fake_api_client::create(const resource_ref& r, std::string_view ns,
                                                 const nlohmann::json& object) {
  if (auto e = begin_call(verb::create))
    return e;
  std::lock_guard lock{mutex_};
  nlohmann::json stored = object;
  auto& meta = stored["metadata"];
  std::string namespace_ = meta_string(stored, "namespace");
  if (namespace_.empty() && r.namespaced) {
    namespace_ = std::string{ns};
    meta["namespace"] = namespace_;
  }
  std::string name = meta_string(stored, "name");
  if (name.empty()) {
    auto prefix = meta_string(stored, "generateName");
    if (prefix.empty())
      return podvisor::error{errc::invalid_argument, "metadata.name: Required value"};
    name = prefix + std::to_string(uid_counter_ + 1);
    meta["name"] = name;
  }
  auto key = key_of(r.namespaced ? namespace_ : std::string{}, name);
  if (objects_[resource_id(r)].count(key) > 0)
    return podvisor::error{errc::already_exists, r.plural + " \"" + name + "\" already exists"};
  meta["uid"] = "fake-uid-" + std::to_string(++uid_counter_);
  meta["creationTimestamp"] = "2024-01-01T00:00:00Z";
  return commit(resource_id(r), key, std::move(stored), watch_event::kind::added);
}

expected<nlohmann::json> fake_api_client::update(const resource_ref& r, const nlohmann::json& object) {
  if (auto e = begin_call(verb::update))
    return e;
  std::lock_guard lock{mutex_};
  auto key = key_of(r.namespaced ? meta_string(object, "namespace") : std::string{}, meta_string(object, "name"));
  auto& objects = objects_[resource_id(r)];
  auto it = objects.find(key);
  if (it == objects.end())
    return podvisor::error{errc::not_found, r.plural + " \"" + key + "\" not found"};
  auto rv = meta_string(object, "resourceVersion");
  if (!rv.empty() && rv != meta_string(it->second, "resourceVersion"))
    return podvisor::error{errc::conflict, "the object has been modified; please apply your changes to the latest "
                                           "version and try again"};
  nlohmann::json stored = object;
  stored["metadata"]["uid"] = it->second["metadata"]["uid"];
  stored["metadata"]["creationTimestamp"] = it->second["metadata"]["creationTimestamp"];
  if (it->second.contains("status"))
    stored["status"] = it->second["status"];
  else
    stored.erase("status");
  return commit(resource_id(r), key, std::move(stored), watch_event::kind::modified);
}

expected<nlohmann::json> fake_api_client::update_status(const resource_ref& r, const nlohmann::json& object) {
  if (auto e = begin_call(verb::update_status))
    return e;
  std::lock_guard lock{mutex_};
  auto key = key_of(r.namespaced ? meta_string(object, "namespace") : std::string{}, meta_string(object, "name"));
  auto& objects = objects_[resource_id(r)];
  auto it = objects.find(key);
  if (it == objects.end())
    return podvisor::error{errc::not_found, r.plural + " \"" + key + "\" not found"};
  auto rv = meta_string(object, "resourceVersion");
  if (!rv.empty() && rv != meta_string(it->second, "resourceVersion"))
    return podvisor::error{errc::conflict, "the object has been modified; please apply your changes to the latest "
                                           "version and try again"};
  nlohmann::json stored = it->second;
  if (object.contains("status"))
    stored["status"] = object["status"];
  else
    stored.erase("status");
  return commit(resource_id(r), key, std::move(stored), watch_event::kind::modified);
}

expected<nlohmann::json> fake_api_client::patch(const resource_ref& r, std::string_view ns, std::string_view name,
                                                kube::client::patch_type type, const nlohmann::json& body,
                                                std::string_view subresource, std::string_view) {
  if (auto e = begin_call(verb::patch))
    return e;
  if (type != kube::client::patch_type::merge)
    return podvisor::error{errc::unsupported, "the fake applies merge patches only"};
  std::lock_guard lock{mutex_};
  auto key = key_of(r.namespaced ? ns : std::string_view{}, name);
  auto& objects = objects_[resource_id(r)];
  auto it = objects.find(key);
  if (it == objects.end())
    return podvisor::error{errc::not_found, r.plural + " \"" + key + "\" not found"};
  nlohmann::json stored = it->second;
  if (subresource == "status") {
    if (body.contains("status"))
      stored["status"].merge_patch(body["status"]);
  } else {
    nlohmann::json patch = body;
    patch.erase("status");
    stored.merge_patch(patch);
  }
  return commit(resource_id(r), key, std::move(stored), watch_event::kind::modified);
}

expected<nlohmann::json> fake_api_client::create_subresource(const resource_ref& r, std::string_view ns,
                                                             std::string_view name, std::string_view subresource,
                                                             const nlohmann::json& body) {
  if (auto e = begin_call(verb::create_subresource))
    return e;
  if (r.plural != "pods" || !r.group.empty() || subresource != "binding")
    return podvisor::error{errc::unsupported, "the fake creates pods/binding only"};
  const nlohmann::json* target = body.is_object() && body.contains("target") ? &body["target"] : nullptr;
  if (target == nullptr || !target->is_object() || !target->contains("name") || !(*target)["name"].is_string() ||
      (*target)["name"].get<std::string>().empty())
    return podvisor::error{errc::invalid_argument, "Binding.core \"" + std::string{name} +
                                                     "\" is invalid: target.name: Required value"};
  std::lock_guard lock{mutex_};
  auto key = key_of(ns, name);
  auto& objects = objects_[resource_id(r)];
  auto it = objects.find(key);
  if (it == objects.end())
    return podvisor::error{errc::not_found, "pods \"" + std::string{name} + "\" not found"};
  const auto& spec = it->second["spec"];
  if (spec.is_object() && spec.contains("nodeName") && spec["nodeName"].is_string() &&
      !spec["nodeName"].get<std::string>().empty())
    return podvisor::error{errc::conflict, "pod " + std::string{name} + " is already assigned to node \"" +
                                             spec["nodeName"].get<std::string>() + "\""};
  if (!meta_string(it->second, "deletionTimestamp").empty())
    return podvisor::error{errc::conflict, "pod " + std::string{name} + " is being deleted"};
  nlohmann::json stored = it->second;
  stored["spec"]["nodeName"] = (*target)["name"];
  commit(resource_id(r), key, std::move(stored), watch_event::kind::modified);
  return nlohmann::json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Success"}, {"code", 201}};
}

expected<nlohmann::json> fake_api_client::remove(const resource_ref& r, std::string_view ns, std::string_view name,
                                                 const kube::client::delete_options&) {
  if (auto e = begin_call(verb::remove))
    return e;
  std::lock_guard lock{mutex_};
  auto key = key_of(r.namespaced ? ns : std::string_view{}, name);
  auto& objects = objects_[resource_id(r)];
  auto it = objects.find(key);
  if (it == objects.end())
    return podvisor::error{errc::not_found, r.plural + " \"" + key + "\" not found"};
  nlohmann::json last = it->second;
  return commit(resource_id(r), key, std::move(last), watch_event::kind::deleted);
}

error fake_api_client::watch(const resource_ref& r, std::string_view ns, const kube::client::watch_options& options,
                             const std::function<bool(watch_event&)>& on_event, kube::client::watch_handle* handle) {
  if (auto e = begin_call(verb::watch))
    return e;
  auto s = make_scope(r, ns, options.label_selector, options.field_selector);
  if (!s)
    return s.error();
  const auto resource = resource_id(r);
  std::vector<watch_event> pending;
  std::uint64_t cursor = 0;
  std::uint64_t end_generation = 0;
  std::uint64_t bookmark_generation = 0;
  {
    std::lock_guard lock{mutex_};
    end_generation = end_generation_;
    bookmark_generation = bookmark_generation_;
    if (options.resource_version.empty() || options.resource_version == "0") {
      for (const auto& [key, object] : objects_[resource])
        if (s->matches(object))
          pending.push_back({watch_event::kind::added, object});
      cursor = rv_;
    } else {
      cursor = parse_rv(options.resource_version);
      if (cursor < compacted_through_) {
        watch_event expired{watch_event::kind::error, gone_status()};
        on_event(expired);
        return error_of(expired);
      }
    }
    ++running_watches_;
    changed_.notify_all();
  }
  if (handle != nullptr)
    handle->bind([this] {
      std::lock_guard lock{mutex_};
      changed_.notify_all();
    });

  auto finish = [&](podvisor::error result) {
    if (handle != nullptr)
      handle->unbind();
    std::lock_guard lock{mutex_};
    --running_watches_;
    changed_.notify_all();
    return result;
  };

  for (;;) {
    for (auto& event : pending)
      if (!on_event(event))
        return finish({});
    pending.clear();
    std::unique_lock lock{mutex_};
    changed_.wait(lock, [&] {
      return (handle != nullptr && handle->cancelled()) || end_generation_ != end_generation ||
             bookmark_generation_ != bookmark_generation || (!history_.empty() && history_.back().rv > cursor);
    });
    if (handle != nullptr && handle->cancelled()) {
      lock.unlock();
      return finish({errc::cancelled, "watch cancelled"});
    }
    if (cursor < compacted_through_) {
      // The watcher fell behind the history (a real server cuts such a watcher off).
      lock.unlock();
      watch_event expired{watch_event::kind::error, gone_status()};
      on_event(expired);
      return finish(error_of(expired));
    }
    for (const auto& event : history_) {
      if (event.rv <= cursor || event.resource != resource || !s->matches(event.object))
        continue;
      pending.push_back({event.type, event.object});
    }
    if (!history_.empty())
      cursor = std::max(cursor, history_.back().rv);
    if (bookmark_generation_ != bookmark_generation) {
      bookmark_generation = bookmark_generation_;
      if (options.allow_bookmarks)
        pending.push_back({watch_event::kind::bookmark,
                           {{"kind", r.kind},
                            {"apiVersion", r.api_version()},
                            {"metadata", {{"resourceVersion", std::to_string(rv_)}}}}});
      cursor = std::max(cursor, rv_);
    }
    if (end_generation_ != end_generation) {
      auto result = end_error_;
      lock.unlock();
      for (auto& event : pending)
        if (!on_event(event))
          return finish({});
      return finish(result);
    }
  }
}

void fake_api_client::fail_next(verb v, podvisor::error e, int times) {
  std::lock_guard lock{mutex_};
  for (int i = 0; i < times; ++i)
    failures_[v].push_back(e);
}

void fake_api_client::on_call(verb v, std::function<void()> hook) {
  std::lock_guard lock{mutex_};
  if (hook)
    hooks_[v] = std::move(hook);
  else
    hooks_.erase(v);
}

void fake_api_client::set_history_limit(std::size_t events) {
  std::lock_guard lock{mutex_};
  history_limit_ = std::max<std::size_t>(events, 1);
  while (history_.size() > history_limit_) {
    compacted_through_ = history_.front().rv;
    history_.pop_front();
  }
  changed_.notify_all();
}

void fake_api_client::end_watches(podvisor::error e) {
  std::lock_guard lock{mutex_};
  end_error_ = std::move(e);
  ++end_generation_;
  changed_.notify_all();
}

void fake_api_client::send_bookmarks() {
  std::lock_guard lock{mutex_};
  ++bookmark_generation_;
  changed_.notify_all();
}

bool fake_api_client::wait_for_watches(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock{mutex_};
  return changed_.wait_for(lock, timeout, [&] { return running_watches_ >= n; });
}

bool fake_api_client::wait_for_calls(verb v, std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock{mutex_};
  return changed_.wait_for(lock, timeout, [&] { return calls_[v] >= n; });
}

bool fake_api_client::wait_for_no_watches(std::chrono::milliseconds timeout) {
  std::unique_lock lock{mutex_};
  return changed_.wait_for(lock, timeout, [&] { return running_watches_ == 0; });
}

std::size_t fake_api_client::running_watches() const {
  std::lock_guard lock{mutex_};
  return running_watches_;
}

std::uint64_t fake_api_client::resource_version() const {
  std::lock_guard lock{mutex_};
  return rv_;
}

std::size_t fake_api_client::calls(verb v) const {
  std::lock_guard lock{mutex_};
  auto it = calls_.find(v);
  return it == calls_.end() ? 0 : it->second;
}

std::vector<nlohmann::json> fake_api_client::objects(const resource_ref& r) const {
  std::lock_guard lock{mutex_};
  std::vector<nlohmann::json> result;
  auto it = objects_.find(resource_id(r));
  if (it != objects_.end())
    for (const auto& [key, object] : it->second)
      result.push_back(object);
  return result;
}

} // namespace podvisor::fakes
