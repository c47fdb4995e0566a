#pragma once
// The kube bridge's integration environment: the real embedded API server in-process (a
// temporary data directory, a free port, restartable on both), rest_clients configured
// from the admin kubeconfig it writes, and an api_client decorator that can cut an
// informer's watch and hold the next one back (to make it resume from a version the
// server has forgotten).

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <system_error>

#include <catch2/catch_test_macros.hpp>

#include "kube/apiserver/server/embedded_server.hpp"
#include "kube/client/config.hpp"
#include "kube/client/rest_client.hpp"

namespace podvisor::test {

/// A fresh directory under the system temp dir, removed with its content at scope end
/// (also when a test fails: REQUIRE unwinds through the destructor).
class scratch_dir {
public:
  scratch_dir() {
    std::random_device rd;
    auto base = std::filesystem::temp_directory_path();
    for (;;) {
      path_ = base / ("podvisor-kube-bridge-" + std::to_string(rd()));
      std::error_code ec;
      if (std::filesystem::create_directory(path_, ec))
        break;
    }
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

/// The embedded API server; stop() and start() again reuse the data directory and port.
class kube_server {
public:
  explicit kube_server(std::size_t history_size = 10'000) {
    options_.data_dir = dir_.path() / "data";
    options_.port = 0;
    options_.history_size = history_size;
    options_.threads = 80; // 64 for short requests, the rest for watches
    start();
    options_.port = server_->port(); // a restart comes back on the same port
  }

  void start() {
    auto started = kube::apiserver::embedded_server::start(options_);
    if (!started)
      FAIL("embedded server did not start: " << started.error().to_string());
    server_ = std::move(*started);
  }

  void stop() {
    server_->stop();
    server_.reset();
  }

  kube::apiserver::embedded_server& server() { return *server_; }

  /// A new client with the administrator's kubeconfig.
  std::shared_ptr<kube::client::rest_client> client() {
    auto config = kube::client::load_kubeconfig(options_.data_dir / "admin.kubeconfig");
    if (!config)
      FAIL("cannot load the admin kubeconfig: " << config.error().to_string());
    config->user_agent = "podvisor-kube-bridge-test";
    // Short timeouts: the tests stop the server and expect clients to notice.
    config->request_timeout = std::chrono::seconds{10};
    config->connect_timeout = std::chrono::seconds{2};
    auto client = kube::client::rest_client::create(std::move(*config));
    if (!client)
      FAIL("cannot create a client: " << client.error().to_string());
    return std::shared_ptr<kube::client::rest_client>{std::move(*client)};
  }

private:
  // Declared first: removed last, after the server stopped.
  scratch_dir dir_;
  kube::apiserver::embedded_server_options options_;
  std::unique_ptr<kube::apiserver::embedded_server> server_;
};

/// Forwards to another api_client; `cut_and_hold` ends the running watch as if the
/// server had closed the stream and holds the next watch call until `release`.
class cuttable_client final : public kube::client::api_client {
public:
  explicit cuttable_client(std::shared_ptr<kube::client::api_client> inner) : inner_(std::move(inner)) {}

  expected<nlohmann::json> get(const kube::client::resource_ref& r, std::string_view ns,
                               std::string_view name) override {
    return inner_->get(r, ns, name);
  }
  expected<kube::client::object_list> list(const kube::client::resource_ref& r, std::string_view ns,
                                           const kube::client::list_options& o) override {
    return inner_->list(r, ns, o);
  }
  expected<nlohmann::json> create(const kube::client::resource_ref& r, std::string_view ns,
                                  const nlohmann::json& object) override {
    return inner_->create(r, ns, object);
  }
  expected<nlohmann::json> update(const kube::client::resource_ref& r, const nlohmann::json& object) override {
    return inner_->update(r, object);
  }
  expected<nlohmann::json> update_status(const kube::client::resource_ref& r, const nlohmann::json& object) override {
    return inner_->update_status(r, object);
  }
  expected<nlohmann::json> patch(const kube::client::resource_ref& r, std::string_view ns, std::string_view name,
                                 kube::client::patch_type type, const nlohmann::json& body,
                                 std::string_view subresource = {}, std::string_view field_manager = {}) override {
    return inner_->patch(r, ns, name, type, body, subresource, field_manager);
  }
  expected<nlohmann::json> remove(const kube::client::resource_ref& r, std::string_view ns, std::string_view name,
                                  const kube::client::delete_options& o) override {
    return inner_->remove(r, ns, name, o);
  }

  error watch(const kube::client::resource_ref& r, std::string_view ns, const kube::client::watch_options& options,
              const std::function<bool(kube::client::watch_event&)>& on_event,
              kube::client::watch_handle* handle = nullptr) override {
    kube::client::watch_handle inner;
    if (handle != nullptr)
      handle->bind([this, &inner] {
        inner.cancel();
        std::lock_guard lock{mutex_};
        changed_.notify_all();
      });
    {
      std::unique_lock lock{mutex_};
      ++waiting_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return !held_ || inner.cancelled(); });
      --waiting_;
      if (inner.cancelled()) {
        lock.unlock();
        if (handle != nullptr)
          handle->unbind();
        return {errc::cancelled, "watch cancelled"};
      }
      running_ = &inner;
      changed_.notify_all();
    }
    auto err = inner_->watch(r, ns, options, on_event, &inner);
    if (handle != nullptr)
      handle->unbind();
    std::lock_guard lock{mutex_};
    running_ = nullptr;
    changed_.notify_all();
    bool cut = cut_;
    cut_ = false;
    if (cut && err == errc::cancelled && (handle == nullptr || !handle->cancelled()))
      return {}; // as if the server had ended the stream
    return err;
  }

  /// Waits until a watch runs, then ends it cleanly; the next watch waits for release().
  bool cut_and_hold(std::chrono::milliseconds timeout = std::chrono::seconds{20}) {
    std::unique_lock lock{mutex_};
    if (!changed_.wait_for(lock, timeout, [&] { return running_ != nullptr; }))
      return false;
    held_ = true;
    cut_ = true;
    running_->cancel();
    return true;
  }

  /// Waits until a watch call is being held.
  bool wait_held(std::chrono::milliseconds timeout = std::chrono::seconds{20}) {
    std::unique_lock lock{mutex_};
    return changed_.wait_for(lock, timeout, [&] { return waiting_ > 0; });
  }

  void release() {
    std::lock_guard lock{mutex_};
    held_ = false;
    changed_.notify_all();
  }

private:
  std::shared_ptr<kube::client::api_client> inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  bool cut_ = false;
  int waiting_ = 0;
  kube::client::watch_handle* running_ = nullptr;
};

} // namespace podvisor::test
