#pragma once
// The embedded API server's request handling, independent of HTTP: authentication and
// authorization, discovery, OpenAPI, and the REST semantics of every served resource
// (CRUD, status subresource, patches, finalizers, graceful deletion, selectors, tables,
// watches). See docs/apiserver.md for the behaviour a client can rely on.
//
// Thread safety: `handle` may be called from many threads at once (one per HTTP
// connection); shared state lives in the store and the registry, both thread-safe.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "kube/apiserver/auth/authenticator.hpp"
#include "kube/apiserver/resources/openapi.hpp"
#include "kube/apiserver/resources/registry.hpp"
#include "kube/apiserver/server/api_types.hpp"
#include "kube/apiserver/server/request_path.hpp"
#include "kube/apiserver/store/store.hpp"

namespace podvisor::kube::apiserver {

class garbage_collector;

/// Settings of the request layer.
struct handler_options {
  /// "127.0.0.1:6443": what /api reports in serverAddressByClientCIDRs.
  std::string server_address;
  /// No authenticator: every request is allowed as the administrator (plain-http test
  /// servers only; kubectl sends no credentials over http).
  bool insecure_allow_all = false;
  /// Largest request body accepted (kube-apiserver: 3 MiB); larger → 413.
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  /// Interval between BOOKMARK events on watches that asked for them.
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(5)};
  /// Longest watch (timeoutSeconds beyond this is capped); kube-apiserver's default
  /// --min-request-timeout is 1800 s and watches last between 1 and 2 times that.
  std::chrono::seconds max_watch_timeout{std::chrono::minutes(30)};
  /// Clock for timestamps (injectable for tests).
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

/// Handles API requests against one store.
class api_handler {
public:
  /// `auth` may be null only with `options.insecure_allow_all`.
  api_handler(store& db, resource_registry& registry, const authenticator* auth, handler_options options);
  ~api_handler();

  api_handler(const api_handler&) = delete;
  api_handler& operator=(const api_handler&) = delete;

  /// Answers one request. Never throws: an unexpected exception becomes a 500 Status.
  api_response handle(const api_request& request);

  /// Registers every stored CustomResourceDefinition (call once at start).
  void load_crds();

  /// Starts the background garbage collector (owner references, namespace deletion).
  void start_background_work();
  /// Stops it; idempotent. Called by the destructor.
  void stop_background_work();

  /// The options in force.
  const handler_options& options() const { return options_; }

  /// Sets the address /api reports (known only once the listener has bound its port).
  void set_server_address(std::string address);

  // --- used by the operation files (read_ops.cpp, write_ops.cpp, ...) ---
  store& db() { return db_; }
  resource_registry& registry() { return registry_; }
  std::chrono::system_clock::time_point now() const { return options_.now(); }
  /// Wakes the garbage collector after a deletion.
  void notify_deleted();

private:
  api_response dispatch(const api_request& request);
  api_response serve_non_resource(const api_request& request, bool is_api_path);
  api_response serve_discovery(const api_request& request, const request_path& p);
  api_response serve_openapi(const api_request& request);

  store& db_;
  resource_registry& registry_;
  const authenticator* auth_;
  handler_options options_;
  std::mutex address_mu_;
  std::string server_address_;
  std::mutex openapi_mu_;
  std::shared_ptr<const openapi_index> openapi_;
  std::unique_ptr<garbage_collector> gc_;
};

/// The store's resource key for an entry: "v1/pods", "kubevirt.io/v1/virtualmachineinstances".
std::string store_resource(const resource_entry& entry);

} // namespace podvisor::kube::apiserver
