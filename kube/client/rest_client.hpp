#pragma once
// api_client over HTTPS (cpp-httplib, OpenSSL) for any Kubernetes API server: the
// configuration from config.hpp, keep-alive connections with TCP_NODELAY reused from a
// small pool, bounded connect and request timeouts, watches parsed incrementally
// (watch_parser.hpp). httplib appears in no header.
//
// Thread safety: every member function may be called from any thread concurrently.

#include <memory>
#include <string>
#include <string_view>

#include "kube/client/api_client.hpp"
#include "kube/client/config.hpp"

namespace podvisor::kube::client {

/// The HTTPS client.
class rest_client final : public api_client {
public:
  /// Validates the configuration (URL, PEM material) and prepares the connection pool;
  /// does not connect.
  static expected<std::unique_ptr<rest_client>> create(client_config config);
  ~rest_client() override;
  rest_client(const rest_client&) = delete;
  rest_client& operator=(const rest_client&) = delete;

  const client_config& config() const;

  expected<nlohmann::json> get(const resource_ref& r, std::string_view ns, std::string_view name) override;
  expected<object_list> list(const resource_ref& r, std::string_view ns, const list_options& options) override;
  expected<nlohmann::json> create(const resource_ref& r, std::string_view ns, const nlohmann::json& object) override;
  expected<nlohmann::json> update(const resource_ref& r, const nlohmann::json& object) override;
  expected<nlohmann::json> update_status(const resource_ref& r, const nlohmann::json& object) override;
  expected<nlohmann::json> patch(const resource_ref& r, std::string_view ns, std::string_view name, patch_type type,
                                 const nlohmann::json& body, std::string_view subresource = {},
                                 std::string_view field_manager = {}) override;
  expected<nlohmann::json> create_subresource(const resource_ref& r, std::string_view ns, std::string_view name,
                                              std::string_view subresource, const nlohmann::json& body) override;
  expected<nlohmann::json> remove(const resource_ref& r, std::string_view ns, std::string_view name,
                                  const delete_options& options) override;
  error watch(const resource_ref& r, std::string_view ns, const watch_options& options,
              const std::function<bool(watch_event&)>& on_event, watch_handle* handle = nullptr) override;

  /// GET of an arbitrary path (discovery, /version); the body as text.
  expected<std::string> get_raw(std::string_view path);
  /// A streaming GET of an arbitrary path (a node agent's NDJSON watch) on its own
  /// connection, like `watch`: `on_data` gets the body as it arrives and returns false to
  /// stop. {} when the server ended the body or `on_data` stopped; a non-2xx answer
  /// classified as `get_raw` does; errc::timeout after watch_idle_timeout without a byte;
  /// errc::cancelled through `handle`.
  error stream_raw(std::string_view path, const std::function<bool(std::string_view)>& on_data,
                   watch_handle* handle = nullptr);

  /// The shared state (rest_client_impl.hpp); public so that the implementation files'
  /// helpers can name it, opaque to everyone else.
  struct impl;

private:
  explicit rest_client(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

} // namespace podvisor::kube::client
