#pragma once
// The real embedded API server, in-process, in a temporary data directory on a free
// port, and rest_clients configured the way a real component is: from the kubeconfig
// files the server writes, over HTTPS with a bearer token.

#include <memory>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "kube/apiserver/server/embedded_server.hpp"
#include "kube/client/config.hpp"
#include "kube/client/rest_client.hpp"
#include "tests/kube/client/test_support.hpp"

namespace podvisor::test {

class server_fixture {
public:
  explicit server_fixture(std::size_t history_size = 10'000) {
    kube::apiserver::embedded_server_options options;
    options.data_dir = dir_.path() / "data";
    options.port = 0;
    options.history_size = history_size;
    // 64 threads are reserved for short requests; a few more leave room for watches.
    options.threads = 72;
    auto started = kube::apiserver::embedded_server::start(options);
    if (!started)
      FAIL("embedded server did not start: " << started.error().to_string());
    server_ = std::move(*started);
  }

  kube::apiserver::embedded_server& server() { return *server_; }
  const temp_dir& dir() const { return dir_; }

  /// The configuration from DIR/<name>.kubeconfig ("admin", "viewer", a component).
  kube::client::client_config config(const std::string& name = "admin") {
    auto file = name == "admin" ? server_->admin_kubeconfig() : server_->kubeconfig(name);
    auto config = kube::client::load_kubeconfig(file);
    if (!config)
      FAIL("cannot load " << file << ": " << config.error().to_string());
    config->user_agent = "podvisor-client-test/0.1.0";
    return *config;
  }

  std::unique_ptr<kube::client::rest_client> client(const std::string& name = "admin") {
    return client_from(config(name));
  }

  static std::unique_ptr<kube::client::rest_client> client_from(kube::client::client_config config) {
    auto client = kube::client::rest_client::create(std::move(config));
    if (!client)
      FAIL("cannot create the client: " << client.error().to_string());
    return std::move(*client);
  }

private:
  // Declared first so that it is removed last, after the server stopped.
  temp_dir dir_;
  std::unique_ptr<kube::apiserver::embedded_server> server_;
};

/// A minimal valid VMI named `name` in "default" with label app=`app`.
inline nlohmann::json vmi(const std::string& name, const std::string& app = "web") {
  return {{"apiVersion", "kubevirt.io/v1"},
          {"kind", "VirtualMachineInstance"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", app}}}}},
          {"spec", {{"domain", {{"resources", {{"requests", {{"memory", "128Mi"}}}}}, {"devices", nlohmann::json::object()}}}}}};
}

/// A minimal pod named `name`.
inline nlohmann::json pod(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}},
          {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
}

/// A config map named `name` with label group=`group`.
inline nlohmann::json config_map(const std::string& name, const std::string& group, const std::string& value = "1") {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", {{"group", group}}}}},
          {"data", {{"value", value}}}};
}

} // namespace podvisor::test
