#pragma once
// An in-memory api_client for unit tests of the kube bridge: objects per resource, one
// global resourceVersion counter, optimistic concurrency (a stale resourceVersion is a
// conflict), merge patches, and watches fed from a bounded event history that the test
// can end, break or make expire (410), plus injected failures and hooks that run before
// a call (to make another writer win a race at exactly the right moment).
//
// Not a server: no admission, no defaulting, no generation bumps, no finalizers. Writes
// to the main resource keep the stored status; writes to status keep everything else.
// Thread safety: every member may be called from any thread; hooks run without the
// fake's lock held, so they may call the fake.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/client/api_client.hpp"

namespace podvisor::fakes {

class fake_api_client final : public kube::client::api_client {
public:
  using resource_ref = kube::client::resource_ref;

  /// The verbs, for failure injection, hooks and call counts.
  enum class verb { get, list, create, update, update_status, patch, remove, watch, create_subresource };

  fake_api_client() = default;
  fake_api_client(const fake_api_client&) = delete;
  fake_api_client& operator=(const fake_api_client&) = delete;

  expected<nlohmann::json> get(const resource_ref& r, std::string_view ns, std::string_view name) override;
  expected<kube::client::object_list> list(const resource_ref& r, std::string_view ns,
                                           const kube::client::list_options& options) override;
  expected<nlohmann::json> create(const resource_ref& r, std::string_view ns, const nlohmann::json& object) override;
  expected<nlohmann::json> update(const resource_ref& r, const nlohmann::json& object) override;
  expected<nlohmann::json> update_status(const resource_ref& r, const nlohmann::json& object) override;
  /// Merge patches only (others: unsupported).
  expected<nlohmann::json> patch(const resource_ref& r, std::string_view ns, std::string_view name,
                                 kube::client::patch_type type, const nlohmann::json& body,
                                 std::string_view subresource = {}, std::string_view field_manager = {}) override;
  /// pods/binding only (others: unsupported), with the API server's semantics: sets
  /// spec.nodeName to target.name once; a pod already bound or being deleted is a
  /// conflict; answers a Success Status.
  expected<nlohmann::json> create_subresource(const resource_ref& r, std::string_view ns, std::string_view name,
                                              std::string_view subresource, const nlohmann::json& body) override;
  expected<nlohmann::json> remove(const resource_ref& r, std::string_view ns, std::string_view name,
                                  const kube::client::delete_options& options) override;
  /// Blocks like a real watch until end_watches, cancellation, or `on_event` returning
  /// false. From "" or "0": ADDED for every current object first. From a version older
  /// than the history: an ERROR event with a 410 Status, then errc::gone.
  error watch(const resource_ref& r, std::string_view ns, const kube::client::watch_options& options,
              const std::function<bool(kube::client::watch_event&)>& on_event,
              kube::client::watch_handle* handle = nullptr) override;

  // -- test controls ---------------------------------------------------------------------

  /// The next `times` calls of `v` fail with `e` (before doing anything).
  void fail_next(verb v, podvisor::error e, int times = 1);
  /// Runs `hook` at the start of every call of `v` (replaces an earlier hook; an empty
  /// function removes it).
  void on_call(verb v, std::function<void()> hook);
  /// Events kept for watch resumption (default 1,000); older ones are dropped, and a
  /// watch from before the oldest kept event gets 410.
  void set_history_limit(std::size_t events);
  /// Ends every running watch: cleanly (error{}) or with `e` (e.g. unavailable).
  void end_watches(podvisor::error e = {});
  /// Sends a BOOKMARK at the current resourceVersion to running watches that asked.
  void send_bookmarks();
  /// Waits until at least `n` watches run; false on timeout.
  bool wait_for_watches(std::size_t n, std::chrono::milliseconds timeout);
  /// Waits until `v` has been called at least `n` times; false on timeout.
  bool wait_for_calls(verb v, std::size_t n, std::chrono::milliseconds timeout);
  /// Waits until no watch runs; false on timeout.
  bool wait_for_no_watches(std::chrono::milliseconds timeout);
  std::size_t running_watches() const;
  /// The global resourceVersion (the last one handed out).
  std::uint64_t resource_version() const;
  /// Calls of `v` so far (failed ones included).
  std::size_t calls(verb v) const;
  /// The stored objects of a resource, sorted by key.
  std::vector<nlohmann::json> objects(const resource_ref& r) const;

private:
  struct history_event {
    std::uint64_t rv = 0;
    std::string resource;
    kube::client::watch_event::kind type = kube::client::watch_event::kind::added;
    nlohmann::json object;
  };

  /// Counts the call, runs its hook, returns an injected failure if one is due.
  podvisor::error begin_call(verb v);
  /// Stores `object` under `key` with a new resourceVersion and records the event.
  nlohmann::json commit(const std::string& resource, const std::string& key, nlohmann::json object,
                        kube::client::watch_event::kind type);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::map<std::string, nlohmann::json>> objects_; // resource → key → object
  std::deque<history_event> history_;
  std::size_t history_limit_ = 1000;
  std::uint64_t compacted_through_ = 0; // events up to this version are gone
  std::uint64_t rv_ = 0;
  std::uint64_t uid_counter_ = 0;
  std::size_t running_watches_ = 0;
  std::uint64_t end_generation_ = 0;
  podvisor::error end_error_;
  std::uint64_t bookmark_generation_ = 0;
  std::map<verb, std::deque<podvisor::error>> failures_;
  std::map<verb, std::function<void()>> hooks_;
  std::map<verb, std::size_t> calls_;
};

} // namespace podvisor::fakes
