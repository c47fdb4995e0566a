#pragma once
// An api_handler over a fresh store in a temporary directory, without HTTP or
// authentication (insecure_allow_all), so tests can send requests and read the answers
// in-process. The default namespace exists.

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kube/apiserver/resources/builtin_resources.hpp"
#include "kube/apiserver/server/api_handler.hpp"
#include "kube/apiserver/server/query.hpp"
#include "tests/kube/apiserver/store/temp_dir.hpp"

namespace podvisor::test {

/// A parsed answer.
struct reply {
  int status = 0;
  nlohmann::json body;
  std::shared_ptr<kube::apiserver::watch_session> watch;
};

class handler_fixture {
public:
  explicit handler_fixture(std::size_t history = 10'000) {
    kube::apiserver::store_options so;
    so.data_dir = dir_.path();
    so.history_size = history;
    db_ = std::move(kube::apiserver::store::open(so)).value();
    registry_ = std::make_unique<kube::apiserver::resource_registry>(kube::apiserver::builtin_resources());
    kube::apiserver::handler_options ho;
    ho.insecure_allow_all = true;
    ho.server_address = "127.0.0.1:6443";
    handler_ = std::make_unique<kube::apiserver::api_handler>(*db_, *registry_, nullptr, ho);
    send("POST", "/api/v1/namespaces", R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"default"}})");
  }

  /// Sends one request; `target` may carry a query ("...?watch=1").
  reply send(std::string_view method, std::string_view target, std::string body = {},
             std::string content_type = {}) {
    kube::apiserver::api_request r;
    r.method = std::string(method);
    auto q = target.find('?');
    r.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos)
      r.query = kube::apiserver::parse_query(target.substr(q + 1));
    if (content_type.empty())
      content_type = method == "PATCH" ? "application/merge-patch+json" : "application/json";
    r.content_type = std::move(content_type);
    r.accept = "application/json";
    r.body = std::move(body);
    auto out = handler_->handle(r);
    reply result;
    result.status = out.status;
    result.watch = out.watch;
    if (!out.body.empty())
      result.body = nlohmann::json::parse(out.body, nullptr, false);
    return result;
  }

  kube::apiserver::api_handler& handler() { return *handler_; }
  kube::apiserver::store& db() { return *db_; }

private:
  temp_dir dir_;
  std::unique_ptr<kube::apiserver::store> db_;
  std::unique_ptr<kube::apiserver::resource_registry> registry_;
  std::unique_ptr<kube::apiserver::api_handler> handler_;
};

/// A minimal valid VMI manifest named `name` in "default".
inline std::string vmi_manifest(std::string_view name, std::string_view extra_labels = "") {
  std::string labels = R"("app":"web")";
  if (!extra_labels.empty())
    labels += "," + std::string(extra_labels);
  return R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":")" + std::string(name)
         + R"(","labels":{)" + labels
         + R"(}},"spec":{"domain":{"resources":{"requests":{"memory":"128Mi"}},"devices":{}}}})";
}

inline constexpr std::string_view vmis = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances";

} // namespace podvisor::test
