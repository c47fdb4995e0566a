#pragma once
// What the introspection server tests share: a fake provider, a CA with a serving
// certificate for 127.0.0.1 and a token file in a temporary directory, an HTTPS client
// that verifies the server against that CA, and a raw TLS connection for requests no
// well-behaved client sends.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/temp_dir.hpp"
#include "introspect/provider.hpp"
#include "introspect/server.hpp"

namespace podvisor::test {

/// A provider over a map of snapshots; `push` plays a transition.
class fake_provider final : public introspect::introspection_provider {
public:
  std::string metrics_text() override { return "# TYPE up gauge\nup 1\n"; }
  nlohmann::json list() override;
  std::optional<nlohmann::json> get(std::string_view ns, std::string_view name) override;
  std::optional<introspect::subscription> watch(std::string_view ns, std::string_view name,
                                                std::function<void(const nlohmann::json&)> on_snapshot) override;
  /// The console log of "ns/name" from `consoles` (not_found otherwise).
  expected<std::filesystem::path> console_log(std::string_view ns, std::string_view name) override {
    std::lock_guard lock{mu_};
    auto it = consoles.find(std::string(ns) + "/" + std::string(name));
    if (it == consoles.end())
      return error{errc::not_found, "no console"};
    return it->second;
  }
  /// Console logs by "namespace/name" (set before the requests).
  std::map<std::string, std::filesystem::path> consoles;

  void set(const std::string& ns, const std::string& name, nlohmann::json snapshot);
  /// Stores `snapshot` (JSON null: removes the supervisor) and tells its watchers.
  void push(const std::string& ns, const std::string& name, const nlohmann::json& snapshot);
  /// Waits until `n` watches are open; false on timeout.
  bool wait_for_watchers(std::size_t n, std::chrono::milliseconds timeout);
  /// Waits until no watch is open (every subscription released); false on timeout.
  bool wait_for_no_watchers(std::chrono::milliseconds timeout);
  std::size_t watchers() const;

private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, nlohmann::json> snapshots_;
  std::map<int, std::pair<std::string, std::function<void(const nlohmann::json&)>>> watchers_;
  int next_id_ = 0;
};

/// CA, serving certificate for 127.0.0.1 and token file.
struct tls_files {
  scoped_temp_dir dir{"podvisor-introspect-test-"};
  std::filesystem::path ca_file, cert_file, key_file, token_file;
  std::string ca_pem;
  std::string token = "test-token-0123456789";
  tls_files();
};

/// A started server on 127.0.0.1:0 over `provider`.
struct running_server {
  tls_files files;
  fake_provider provider;
  introspect::introspection_server server;
  explicit running_server(introspect::server_options options = {});
  /// An HTTPS client verifying the server against the test CA; with the right token
  /// unless `token` says otherwise ("" for none).
  std::unique_ptr<httplib::SSLClient> client(std::optional<std::string> token = std::nullopt) const;
};

/// Sends `bytes` over a fresh TLS connection to 127.0.0.1:`port` (no verification) and
/// returns what was read until a whole response (with Content-Length) arrived, the
/// server closed, or 5 s passed. "" when the handshake fails.
std::string raw_tls_exchange(int port, const std::string& bytes, bool* handshake_ok = nullptr);

/// A TLS connection to 127.0.0.1:`port` that completed its handshake and then sends
/// nothing (holding one of the server's workers until it is destroyed).
class idle_tls_connection {
public:
  explicit idle_tls_connection(int port);
  ~idle_tls_connection();
  idle_tls_connection(const idle_tls_connection&) = delete;
  idle_tls_connection& operator=(const idle_tls_connection&) = delete;
  bool handshake_ok() const { return ok_; }
  /// Waits up to `timeout` for the server to close the connection; true when it did.
  bool closed_by_server(std::chrono::seconds timeout);

private:
  int fd_ = -1;
  void* ctx_ = nullptr;
  void* ssl_ = nullptr;
  bool ok_ = false;
};

} // namespace podvisor::test
