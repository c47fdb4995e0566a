#pragma once
// The Kubernetes API as Podvisor's components see it: typed verbs on JSON objects with
// errors classified at the boundary (errors.hpp). `rest_client` implements it over HTTPS
// against any API server; tests/fakes/ has an in-memory fake for unit tests of actors.
//
// Thread safety: implementations allow calls from any thread concurrently. A watch
// blocks its calling thread until the stream ends, the callback returns false, or the
// watch_handle is cancelled from another thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "kube/client/resource.hpp"
#include "kube/client/watch_parser.hpp"

namespace podvisor::kube::client {

/// Options of a list.
struct list_options {
  std::string label_selector{};
  std::string field_selector{};
  /// "" → most recent (a consistent read); "0" → any (servers may answer from cache).
  std::string resource_version{};
  /// Page size; 0 → no limit. `list` follows `continue` tokens itself.
  std::int64_t limit = 500;
};

/// A list result: the items, and the resourceVersion to watch from.
struct object_list {
  std::vector<nlohmann::json> items;
  std::string resource_version;
};

/// Options of a watch.
struct watch_options {
  std::string label_selector{};
  std::string field_selector{};
  /// Start after this version ("" or "0": the current state first, as ADDED events).
  std::string resource_version{};
  bool allow_bookmarks = true;
  /// Server-side end of the stream (timeoutSeconds); client-go picks 5–10 minutes.
  std::int64_t timeout_seconds = 300;
};

/// Options of a delete (metav1.DeleteOptions).
struct delete_options {
  std::optional<std::int64_t> grace_period_seconds{};
  /// "", "Background", "Foreground", "Orphan".
  std::string propagation_policy{};
  std::optional<std::string> precondition_uid{};
  std::optional<std::string> precondition_resource_version{};
};

/// Patch types.
enum class patch_type { merge, json, strategic, apply };

/// Lets another thread end a running watch.
/// Thread safety: all members may be called from any thread.
class watch_handle {
public:
  /// Ends the watch soon (the blocked `watch` call returns with errc::cancelled); also
  /// ends a watch started later with this handle at once.
  void cancel();
  bool cancelled() const { return cancelled_.load(); }

  /// For api_client implementations: how to interrupt the running watch (e.g. close its
  /// socket); called at once if already cancelled. `unbind` when the watch ends.
  void bind(std::function<void()> stop);
  void unbind();

private:
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  std::function<void()> stop_;
};

/// The API verbs.
class api_client {
public:
  virtual ~api_client() = default;

  /// GET one object.
  virtual expected<nlohmann::json> get(const resource_ref& r, std::string_view ns, std::string_view name) = 0;
  /// GET a collection (every page); `ns` empty → all namespaces.
  virtual expected<object_list> list(const resource_ref& r, std::string_view ns, const list_options& options) = 0;
  /// POST; the namespace is the object's metadata.namespace or `ns`.
  virtual expected<nlohmann::json> create(const resource_ref& r, std::string_view ns, const nlohmann::json& object) = 0;
  /// PUT the object (name, namespace and resourceVersion from its metadata: a stale
  /// resourceVersion gives errc::conflict).
  virtual expected<nlohmann::json> update(const resource_ref& r, const nlohmann::json& object) = 0;
  /// PUT to the status subresource.
  virtual expected<nlohmann::json> update_status(const resource_ref& r, const nlohmann::json& object) = 0;
  /// PATCH; `subresource` e.g. "status". For `apply`, `field_manager` is required.
  virtual expected<nlohmann::json> patch(const resource_ref& r, std::string_view ns, std::string_view name,
                                         patch_type type, const nlohmann::json& body,
                                         std::string_view subresource = {}, std::string_view field_manager = {}) = 0;
  /// POST `body` to a subresource of one object (.../NAME/SUBRESOURCE), e.g. a Binding
  /// to pods/NAME/binding or an Eviction to pods/NAME/eviction; returns the server's
  /// answer (often a Status). Not pure, so that clients written before it still build;
  /// the default refuses with errc::unsupported.
  virtual expected<nlohmann::json> create_subresource(const resource_ref& r, std::string_view ns,
                                                      std::string_view name, std::string_view subresource,
                                                      const nlohmann::json& body);
  /// DELETE; returns the server's answer (the object, or a Status on immediate delete).
  virtual expected<nlohmann::json> remove(const resource_ref& r, std::string_view ns, std::string_view name,
                                          const delete_options& options) = 0;

  /// Watches a collection, calling `on_event` for each event in order, on this thread,
  /// until the server ends the stream (returns error{} — none — so the caller re-watches
  /// from the last resourceVersion it saw), `on_event` returns false (error{}), `handle`
  /// is cancelled (errc::cancelled), no byte arrives for the idle timeout
  /// (errc::timeout), or the request fails (classified; 410 → errc::gone). An ERROR event
  /// is passed to `on_event` and then ends the watch with error_of(event).
  virtual error watch(const resource_ref& r, std::string_view ns, const watch_options& options,
                      const std::function<bool(watch_event&)>& on_event, watch_handle* handle = nullptr) = 0;
};

} // namespace podvisor::kube::client
