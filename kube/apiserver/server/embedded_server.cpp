#include "kube/apiserver/server/embedded_server.hpp"

#include "kube/apiserver/auth/bootstrap.hpp"
#include "kube/apiserver/resources/builtin_resources.hpp"
#include "kube/apiserver/server/api_handler.hpp"
#include "kube/apiserver/server/http_server.hpp"
#include "kube/apiserver/server/query.hpp"

namespace podvisor::kube::apiserver {

struct embedded_server::impl {
  embedded_server_options options;
  security_setup security;
  std::unique_ptr<store> db;
  std::unique_ptr<resource_registry> registry;
  std::unique_ptr<authenticator> auth;
  std::unique_ptr<api_handler> handler;
  std::unique_ptr<http_server> http;
};

embedded_server::embedded_server(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

embedded_server::~embedded_server() {
  stop();
}

expected<std::unique_ptr<embedded_server>> embedded_server::start(const embedded_server_options& options) {
  auto i = std::make_unique<impl>();
  i->options = options;

  security_options sec;
  sec.data_dir = options.data_dir;
  sec.components = options.components;
  sec.pki.extra_ips = options.extra_ips;
  auto security = prepare_security(sec);
  if (!security)
    return security.error().with_context("setting up certificates and tokens in " + options.data_dir.string());
  i->security = std::move(security.value());

  store_options so;
  so.data_dir = options.data_dir;
  so.history_size = options.history_size;
  auto db = store::open(so);
  if (!db)
    return error{errc::io_error, "opening the store in " + options.data_dir.string() + ": " + db.error().message};
  i->db = std::move(db.value());

  i->registry = std::make_unique<resource_registry>(builtin_resources());
  i->auth = std::make_unique<authenticator>(i->security.tokens);
  handler_options ho;
  ho.server_address = options.host + ":" + std::to_string(options.port);
  i->handler = std::make_unique<api_handler>(*i->db, *i->registry, i->auth.get(), ho);
  i->handler->load_crds();

  http_options hopts;
  hopts.host = options.host;
  hopts.port = options.port;
  hopts.cert_file = i->security.pki.serving_cert.string();
  hopts.key_file = i->security.pki.serving_key.string();
  hopts.threads = options.threads;
  i->http = std::make_unique<http_server>(*i->handler, hopts);
  std::string why;
  if (!i->http->start(why))
    return error{errc::unavailable, why};

  i->handler->set_server_address(options.host + ":" + std::to_string(i->http->port()));
  auto url = "https://" + options.host + ":" + std::to_string(i->http->port());
  auto written = write_kubeconfigs(i->security, url);
  if (!written)
    return written.error().with_context("writing kubeconfigs");
  i->handler->start_background_work();
  std::unique_ptr<embedded_server> server(new embedded_server(std::move(i)));
  // The namespaces every Kubernetes cluster has.
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    nlohmann::json object = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}};
    auto [status, body] = server->request("POST", "/api/v1/namespaces", object.dump());
    if (status != 201 && status != 409)
      return error{errc::internal, "creating namespace " + std::string(ns) + ": " + body};
  }
  return server;
}

std::string embedded_server::url() const {
  return "https://" + impl_->options.host + ":" + std::to_string(port());
}

int embedded_server::port() const {
  return impl_->http->port();
}

std::filesystem::path embedded_server::admin_kubeconfig() const {
  return impl_->options.data_dir / "admin.kubeconfig";
}

std::filesystem::path embedded_server::kubeconfig(std::string_view name) const {
  return impl_->options.data_dir / (std::string(name) + ".kubeconfig");
}

std::filesystem::path embedded_server::ca_file() const {
  return impl_->security.pki.ca_cert;
}

std::pair<int, std::string> embedded_server::request(std::string_view method, std::string_view path,
                                                    std::string body) {
  api_request r;
  r.method = std::string(method);
  auto q = path.find('?');
  r.path = std::string(path.substr(0, q));
  if (q != std::string_view::npos)
    r.query = parse_query(path.substr(q + 1));
  r.content_type = method == "PATCH" ? "application/merge-patch+json" : "application/json";
  r.body = std::move(body);
  for (const auto& t : impl_->security.tokens)
    if (t.user.name == user_admin)
      r.authorization = "Bearer " + t.token;
  auto response = impl_->handler->handle(r);
  return {response.status, std::move(response.body)};
}

expected<std::string> embedded_server::apply(const nlohmann::json& object) {
  auto api_version = object.value("apiVersion", std::string());
  auto kind = object.value("kind", std::string());
  auto slash = api_version.find('/');
  std::string group = slash == std::string::npos ? std::string() : api_version.substr(0, slash);
  std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  auto entry = impl_->registry->find_kind(group, version, kind);
  if (!entry)
    return error{errc::unsupported, "no resource serves " + api_version + " " + kind};
  auto meta = object.value("metadata", nlohmann::json::object());
  auto name = meta.value("name", std::string());
  auto ns = meta.value("namespace", std::string("default"));
  std::string collection = (group.empty() ? "/api/" + version : "/apis/" + group + "/" + version)
                           + (entry->namespaced ? "/namespaces/" + ns : std::string()) + "/" + entry->plural;
  auto [status, body] = request("POST", collection, object.dump());
  if (status == 201)
    return std::string("created");
  if (status == 409 && !name.empty()) {
    auto before = request("GET", collection + "/" + name);
    auto [pstatus, pbody] = request("PATCH", collection + "/" + name, object.dump());
    if (pstatus == 200)
      return std::string(before.second == pbody ? "unchanged" : "configured");
    status = pstatus;
    body = pbody;
  }
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  auto message = parsed.is_object() ? parsed.value("message", body) : body;
  return error{errc::invalid_argument, message};
}

void embedded_server::stop() {
  if (!impl_)
    return;
  if (impl_->http)
    impl_->http->stop();
  if (impl_->handler)
    impl_->handler->stop_background_work();
}

} // namespace podvisor::kube::apiserver
