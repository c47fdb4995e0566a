#include "actors/kube/status_writer.hpp"

#include <exception>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/system/config.hpp"
#include "protocols/error.hpp"

namespace podvisor::actors::kube {

namespace {

using podvisor::kube::client::api_client;
using protocols::kube_object;
using protocols::status_change;
using protocols::status_mutation;

/// The outcome of one attempt (internal; node-local like status_change itself).
struct status_attempt_done {
  std::string key;
  std::uint64_t attempt = 0;
  /// The read or the write failed (the whole attempt).
  caf::error error;
  /// As written, or as read when the changes changed nothing.
  kube_object object;
  /// Per change of the attempt: the error its function returned, if any.
  std::vector<caf::error> change_errors;
};

} // namespace

} // namespace podvisor::actors::kube

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::kube::status_attempt_done)
CAF_ADD_ATOM(podvisor, podvisor::actors::kube, status_retry_atom, "sw_retry")

namespace podvisor::actors::kube {

namespace {

using status_writer_impl_actor = protocols::status_writer_actor::extend<
  /// An attempt finished.
  caf::reacts_to<status_attempt_done>,
  /// The backoff for the object with this key elapsed: try again.
  caf::reacts_to<status_retry_atom, std::string>>;

struct pending_change {
  std::shared_ptr<const status_mutation> mutate;
  caf::typed_response_promise<kube_object> promise;
};

struct object_entry {
  std::string namespace_;
  std::string name;
  /// Arrived while an attempt or a backoff was pending.
  std::vector<pending_change> queued;
  /// In the running attempt (or waiting for its retry).
  std::vector<pending_change> batch;
  bool busy = false;
  std::uint32_t attempts = 0;
  std::uint64_t attempt_id = 0;
  std::optional<podvisor::backoff> retry;
};

struct status_writer_state {
  static inline const char* name = "status_writer";
  status_writer_config config;
  std::shared_ptr<api_client> client;
  std::shared_ptr<api_executor> executor;
  log::logger log;
  std::mt19937_64 seeds;
  std::unordered_map<std::string, object_entry> objects;
};

using writer_pointer = status_writer_impl_actor::stateful_pointer<status_writer_state>;

/// Runs on the executor: read, apply every change in order, write if anything changed.
status_attempt_done run_attempt(api_client& client, const podvisor::kube::client::resource_ref& resource,
                                const std::string& namespace_, const std::string& name,
                                const std::vector<std::shared_ptr<const status_mutation>>& fns) {
  status_attempt_done done;
  auto read = client.get(resource, namespace_, name);
  if (!read) {
    done.error = protocols::to_caf_error(read.error());
    return done;
  }
  nlohmann::json object = std::move(*read);
  const nlohmann::json original = object;
  done.change_errors.resize(fns.size());
  for (std::size_t i = 0; i < fns.size(); ++i) {
    // Each change applies to a copy so that a failing one leaves no half-made edits.
    nlohmann::json candidate = object;
    podvisor::error err;
    try {
      err = (*fns[i])(candidate);
    } catch (const std::exception& e) {
      err = podvisor::error{errc::internal, std::string{"status change threw: "} + e.what()};
    }
    if (err)
      done.change_errors[i] = protocols::to_caf_error(err);
    else
      object = std::move(candidate);
  }
  if (object == original) {
    done.object = kube_object{std::move(object)};
    return done;
  }
  auto written = client.update_status(resource, object);
  if (!written)
    done.error = protocols::to_caf_error(written.error());
  else
    done.object = kube_object{std::move(*written)};
  return done;
}

void start_attempt(writer_pointer self, const std::string& key) {
  auto& st = self->state;
  auto& entry = st.objects[key];
  for (auto& change : entry.queued)
    entry.batch.push_back(std::move(change));
  entry.queued.clear();
  entry.busy = true;
  ++entry.attempts;
  auto id = ++entry.attempt_id;
  std::vector<std::shared_ptr<const status_mutation>> fns;
  fns.reserve(entry.batch.size());
  for (const auto& change : entry.batch)
    fns.push_back(change.mutate);
  auto me = caf::actor_cast<status_writer_impl_actor>(self);
  st.executor->post([client = st.client, resource = st.config.resource, ns = entry.namespace_, name = entry.name,
                     fns = std::move(fns), key, id, me]() mutable {
    auto done = run_attempt(*client, resource, ns, name, fns);
    done.key = std::move(key);
    done.attempt = id;
    caf::anon_send(me, std::move(done));
  });
}

/// The batch is answered (or failed): start on what queued meanwhile, or forget the key.
void finish_batch(writer_pointer self, const std::string& key) {
  auto it = self->state.objects.find(key);
  auto& entry = it->second;
  entry.batch.clear();
  entry.busy = false;
  entry.attempts = 0;
  entry.retry->reset();
  if (entry.queued.empty())
    self->state.objects.erase(it);
  else
    start_attempt(self, key);
}

bool retryable(errc code) {
  return code == errc::conflict || code == errc::unavailable || code == errc::timeout;
}

void on_attempt_done(writer_pointer self, status_attempt_done& done) {
  auto& st = self->state;
  auto it = st.objects.find(done.key);
  if (it == st.objects.end() || it->second.attempt_id != done.attempt)
    return;
  auto& entry = it->second;
  if (!done.error) {
    for (std::size_t i = 0; i < entry.batch.size(); ++i) {
      if (i < done.change_errors.size() && done.change_errors[i])
        entry.batch[i].promise.deliver(done.change_errors[i]);
      else
        entry.batch[i].promise.deliver(done.object);
    }
    finish_batch(self, done.key);
    return;
  }
  auto err = protocols::from_caf_error(self->system(), done.error);
  if (retryable(err.code) && entry.attempts < st.config.max_attempts) {
    auto delay = entry.retry->next();
    st.log.debug("{} {}: {} (attempt {}), retrying in {} us", st.config.resource.plural, done.key, err.to_string(),
                 entry.attempts, std::chrono::duration_cast<std::chrono::microseconds>(delay).count());
    self->delayed_send(self, delay, status_retry_atom_v, done.key);
    return;
  }
  st.log.warn("{} {}: status not written after {} attempt(s): {}", st.config.resource.plural, done.key,
              entry.attempts, err.to_string());
  for (auto& change : entry.batch)
    change.promise.deliver(done.error);
  finish_batch(self, done.key);
}

status_writer_impl_actor::behavior_type status_writer_behavior(writer_pointer self, status_writer_config config,
                                                               std::shared_ptr<api_client> client,
                                                               std::shared_ptr<api_executor> executor) {
  auto& st = self->state;
  st.log = make_logger(self, "kube", "status-writer " + config.resource.plural);
  install_exception_handler(self, st.log);
  st.seeds.seed(config.backoff_seed != 0 ? config.backoff_seed : std::random_device{}());
  st.config = std::move(config);
  st.client = std::move(client);
  st.executor = std::move(executor);
  return {
    /// Queues the change; starts an attempt unless one (or its backoff) is pending.
    [self](status_change& change) -> caf::result<kube_object> {
      auto& state = self->state;
      if (change.name.empty() || !change.mutate)
        return make_error(errc::invalid_argument, "status change without a name or a function");
      auto key = protocols::object_key(state.config.resource.namespaced ? change.namespace_ : std::string{},
                                       change.name);
      auto& entry = state.objects[key];
      if (!entry.retry) {
        entry.namespace_ = change.namespace_;
        entry.name = change.name;
        entry.retry.emplace(state.config.backoff, state.seeds());
      }
      auto promise = self->make_response_promise<kube_object>();
      entry.queued.push_back({std::move(change.mutate), promise});
      if (!entry.busy)
        start_attempt(self, key);
      return promise;
    },
    /// Answers the batch, or schedules a retry.
    [self](status_attempt_done& done) { on_attempt_done(self, done); },
    /// The backoff is over: a new attempt with everything queued so far.
    [self](status_retry_atom, const std::string& key) {
      auto it = self->state.objects.find(key);
      if (it != self->state.objects.end() && it->second.busy)
        start_attempt(self, key);
    },
  };
}

} // namespace

protocols::status_writer_actor spawn_status_writer(caf::actor_system& sys, status_writer_config config,
                                                   std::shared_ptr<api_client> client,
                                                   std::shared_ptr<api_executor> executor) {
  return sys.spawn(status_writer_behavior, std::move(config), std::move(client), std::move(executor));
}

protocols::status_change merge_status(std::string namespace_, std::string name, nlohmann::json patch) {
  auto fn = [patch = std::move(patch)](nlohmann::json& object) -> podvisor::error {
    if (!object.is_object())
      return {errc::invalid_argument, "not an object"};
    object["status"].merge_patch(patch);
    return {};
  };
  return mutate_status(std::move(namespace_), std::move(name), std::move(fn));
}

protocols::status_change mutate_status(std::string namespace_, std::string name, protocols::status_mutation fn) {
  return {std::move(namespace_), std::move(name), std::make_shared<const status_mutation>(std::move(fn))};
}

} // namespace podvisor::actors::kube
