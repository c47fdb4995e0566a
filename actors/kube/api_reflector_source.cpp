// The real reflector source: api_client list and watch calls on a detached helper actor.
//
// Why a detached actor and not a std::thread: the blocking calls need a thread of their
// own, and a detached actor is one that the actor system knows about — it waits for it
// at shutdown, so no call outlives the system's logger, clock or the client it uses.
// The helper holds only a weak reference to its informer, so the informer's lifetime
// stays in its owner's hands (no reference cycle).

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/kube/reflector_source.hpp"
#include "common/log.hpp"
#include "protocols/error.hpp"

namespace podvisor::actors::kube {

namespace {

using podvisor::kube::client::api_client;
using podvisor::kube::client::watch_event;
using podvisor::kube::client::watch_handle;
using protocols::informer_list_result;
using protocols::informer_watch_batch;
using protocols::informer_watch_ended;
using protocols::kube_object;
using protocols::kube_watch_event;

using reflector_list_atom = caf::atom_constant<caf::atom("rfl_list")>;
using reflector_watch_atom = caf::atom_constant<caf::atom("rfl_watch")>;

/// Shared between the source (informer side) and the helper: flow control and the
/// running watch's cancellation.
class flow_control {
public:
  explicit flow_control(std::size_t limit) : limit_(std::max<std::size_t>(limit, 1)) {}

  /// Waits until one more event may be sent; false once stopped.
  bool acquire() {
    std::unique_lock lock{mutex_};
    ready_.wait(lock, [&] { return stopped_ || unprocessed_ < limit_; });
    if (stopped_)
      return false;
    ++unprocessed_;
    return true;
  }

  void release(std::size_t n) {
    std::lock_guard lock{mutex_};
    unprocessed_ -= std::min(n, unprocessed_);
    ready_.notify_all();
  }

  /// Registers the running watch; false once stopped (then do not start it).
  bool begin_watch(watch_handle* handle) {
    std::lock_guard lock{mutex_};
    if (stopped_)
      return false;
    active_ = handle;
    return true;
  }

  void end_watch() {
    std::lock_guard lock{mutex_};
    active_ = nullptr;
  }

  /// Ends the running watch and every wait, for good.
  void stop() {
    std::lock_guard lock{mutex_};
    stopped_ = true;
    if (active_ != nullptr)
      active_->cancel();
    ready_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::size_t limit_;
  std::size_t unprocessed_ = 0;
  bool stopped_ = false;
  watch_handle* active_ = nullptr;
};

kube_watch_event::kind convert(watch_event::kind k) {
  switch (k) {
    case watch_event::kind::added:
      return kube_watch_event::kind::added;
    case watch_event::kind::modified:
      return kube_watch_event::kind::modified;
    case watch_event::kind::deleted:
      return kube_watch_event::kind::deleted;
    case watch_event::kind::bookmark:
    case watch_event::kind::error:
      break;
  }
  return kube_watch_event::kind::bookmark;
}

/// The object as the informer gets it: the options' transform applied in place, then
/// wrapped (immutable from here on).
kube_object prepare(const api_source_options& options, const log::logger& log, nlohmann::json object) {
  if (apply_transform(options.transform, object))
    return kube_object{std::move(object)};
  kube_object result{std::move(object)};
  log.warn("the cache transform threw on {}: cached as far as it got", result.key());
  return result;
}

/// The helper. Each handler blocks in one api_client call; messages queue meanwhile.
caf::behavior reflector_worker(caf::event_based_actor* self, std::shared_ptr<api_client> client,
                               api_source_options options, std::shared_ptr<flow_control> flow,
                               caf::actor_addr informer) {
  log::logger log{"kube", "informer-source " + options.resource.plural};
  auto send_to_informer = [self, informer](auto&& message) {
    if (auto target = caf::actor_cast<caf::actor>(informer))
      self->send(target, std::forward<decltype(message)>(message));
  };
  return {
    /// Lists (every page) and sends the result.
    [=](reflector_list_atom, std::uint64_t generation) {
      informer_list_result result;
      result.generation = generation;
      podvisor::kube::client::list_options list_options;
      list_options.label_selector = options.label_selector;
      list_options.field_selector = options.field_selector;
      list_options.limit = options.list_page_size;
      auto listed = client->list(options.resource, options.namespace_, list_options);
      if (!listed) {
        result.error = protocols::to_caf_error(listed.error());
      } else {
        result.resource_version = std::move(listed->resource_version);
        result.items.reserve(listed->items.size());
        for (auto& item : listed->items)
          result.items.push_back(prepare(options, log, std::move(item)));
      }
      send_to_informer(std::move(result));
    },
    /// Watches until the stream ends; one message per event, then the end.
    [=](reflector_watch_atom, std::uint64_t generation, const std::string& resource_version) {
      watch_handle handle;
      if (!flow->begin_watch(&handle))
        return;
      podvisor::kube::client::watch_options watch_options;
      watch_options.label_selector = options.label_selector;
      watch_options.field_selector = options.field_selector;
      watch_options.resource_version = resource_version;
      watch_options.allow_bookmarks = true;
      watch_options.timeout_seconds = options.watch_timeout_seconds;
      auto on_event = [&](watch_event& event) {
        if (event.type == watch_event::kind::error)
          return true; // the watch ends with error_of(event), reported below
        if (!flow->acquire())
          return false;
        informer_watch_batch batch;
        batch.generation = generation;
        // Bookmarks carry only a resourceVersion: nothing to transform.
        batch.events.push_back(kube_watch_event{
          convert(event.type), event.type == watch_event::kind::bookmark ? kube_object{std::move(event.object)}
                                                                         : prepare(options, log, std::move(event.object))});
        send_to_informer(std::move(batch));
        return true;
      };
      auto err = client->watch(options.resource, options.namespace_, watch_options, on_event, &handle);
      flow->end_watch();
      send_to_informer(informer_watch_ended{generation, protocols::to_caf_error(err)});
    },
  };
}

class api_source final : public reflector_source {
public:
  api_source(caf::actor worker, std::shared_ptr<flow_control> flow) : worker_(std::move(worker)), flow_(std::move(flow)) {}

  ~api_source() override {
    flow_->stop();
    caf::anon_send_exit(worker_, caf::exit_reason::user_shutdown);
  }

  api_source(const api_source&) = delete;
  api_source& operator=(const api_source&) = delete;

  void list(std::uint64_t generation) override { caf::anon_send(worker_, reflector_list_atom::value, generation); }

  void watch(std::uint64_t generation, const std::string& resource_version) override {
    caf::anon_send(worker_, reflector_watch_atom::value, generation, resource_version);
  }

  void consumed(std::size_t events) override { flow_->release(events); }

private:
  caf::actor worker_;
  std::shared_ptr<flow_control> flow_;
};

} // namespace

reflector_source_factory api_reflector_source(caf::actor_system& sys, std::shared_ptr<api_client> client,
                                              api_source_options options) {
  return [sys = &sys, client = std::move(client),
          options = std::move(options)](const protocols::informer_actor& informer) -> std::unique_ptr<reflector_source> {
    auto flow = std::make_shared<flow_control>(options.max_unprocessed_events);
    auto worker = sys->spawn<caf::detached>(reflector_worker, client, options, flow, informer.address());
    return std::make_unique<api_source>(std::move(worker), std::move(flow));
  };
}

} // namespace podvisor::actors::kube
