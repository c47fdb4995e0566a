#include "kube/apiserver/server/api_handler.hpp"

#include <exception>

#include "kube/apiserver/auth/authorizer.hpp"
#include "kube/apiserver/resources/accept.hpp"
#include "kube/apiserver/resources/discovery.hpp"
#include "kube/apiserver/server/garbage_collector.hpp"
#include "kube/apiserver/server/resource_ops.hpp"
#include "kube/apiserver/server/responses.hpp"
#include "kube/apiserver/server/watch_session.hpp"

namespace podvisor::kube::apiserver {

std::string store_resource(const resource_entry& entry) {
  return entry.group.empty() ? entry.version + "/" + entry.plural
                             : entry.group + "/" + entry.version + "/" + entry.plural;
}

api_handler::api_handler(store& db, resource_registry& registry, const authenticator* auth,
                         handler_options options)
  : db_(db), registry_(registry), auth_(auth), options_(std::move(options)),
    server_address_(options_.server_address) {}

void api_handler::set_server_address(std::string address) {
  std::lock_guard guard{address_mu_};
  server_address_ = std::move(address);
}

api_handler::~api_handler() {
  stop_background_work();
}

void api_handler::start_background_work() {
  if (!gc_)
    gc_ = std::make_unique<garbage_collector>(*this);
}

void api_handler::stop_background_work() {
  gc_.reset();
}

void api_handler::notify_deleted() {
  if (gc_)
    gc_->wake();
}

void api_handler::load_crds() {
  auto crds = registry_.find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  if (!crds)
    return;
  for (const auto& item : db_.list(store_resource(*crds)).items) {
    auto object = json::parse(item.text(), nullptr, false);
    if (!object.is_discarded())
      (void)registry_.apply_crd(object);
  }
}

api_response api_handler::handle(const api_request& request) {
  try {
    return dispatch(request);
  } catch (const std::exception& e) {
    return status_response(api::make_internal_error_status(e.what()));
  } catch (...) {
    return status_response(api::make_internal_error_status("unexpected error"));
  }
}

namespace {

std::string verb_for(const api_request& r, const request_path& p) {
  const auto& m = r.method;
  if (m == "GET" || m == "HEAD") {
    auto watch = bool_param(r.query, "watch", false);
    if (watch && *watch)
      return "watch";
    return p.name.empty() ? "list" : "get";
  }
  if (m == "POST")
    return "create";
  if (m == "PUT")
    return "update";
  if (m == "PATCH")
    return "patch";
  if (m == "DELETE")
    return p.name.empty() ? "deletecollection" : "delete";
  return "unknown";
}

std::string lowercase(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return s;
}

} // namespace

api_response api_handler::dispatch(const api_request& request) {
  path_error perr;
  bool is_api_path = false;
  auto parsed = parse_request_path(request.path, perr, is_api_path);

  // Authentication and authorization come first, as in kube-apiserver, so an anonymous
  // client learns nothing about what exists.
  if (!options_.insecure_allow_all) {
    auto authn = auth_ != nullptr ? auth_->check(request.authorization) : authn_result{};
    if (authn.status == authn_status::rejected) {
      auto d = unauthorized_decision();
      return error_response(d.http_status(), d.reason(), d.message);
    }
    request_attributes attrs;
    if (parsed && parsed->is_resource) {
      attrs.verb = verb_for(request, *parsed);
      attrs.api_group = parsed->group;
      attrs.resource = parsed->resource;
      attrs.subresource = parsed->subresource;
      attrs.namespace_ = parsed->namespace_;
      attrs.name = parsed->name;
      // The Namespace object's own paths carry its name, not a namespace.
      if (parsed->group.empty() && parsed->resource == "namespaces" && parsed->namespace_.empty())
        attrs.namespace_ = parsed->name;
    } else {
      attrs.resource_request = false;
      attrs.verb = lowercase(request.method);
      attrs.path = request.path;
    }
    auto decision = authorize(authn.user, attrs);
    if (!decision.allowed()) {
      auto body = status_json(decision.http_status(), decision.reason(), decision.message);
      if (!decision.details_kind.empty()) {
        body["details"] = {{"kind", decision.details_kind}};
        if (!decision.details_group.empty())
          body["details"]["group"] = decision.details_group;
        if (!decision.details_name.empty())
          body["details"]["name"] = decision.details_name;
      }
      return json_response(decision.http_status(), body);
    }
  }

  if (!parsed) {
    if (is_api_path)
      return error_response(perr.code, "NotFound", perr.message);
    return serve_non_resource(request, is_api_path);
  }
  if (!parsed->is_resource)
    return serve_discovery(request, *parsed);

  auto entry = registry_.find(parsed->group, parsed->version, parsed->resource);
  if (!entry)
    return error_response(404, "NotFound", "the server could not find the requested resource");
  if (!parsed->namespace_.empty() && !entry->namespaced)
    return error_response(404, "NotFound", "the server could not find the requested resource");
  if (!parsed->subresource.empty() && !entry->has_subresource(parsed->subresource))
    return error_response(404, "NotFound", "the server could not find the requested resource");

  op_context c{*this, *entry, *parsed, request};
  const auto& m = request.method;
  bool collection = parsed->name.empty();
  if (m == "GET" || m == "HEAD") {
    auto watch = bool_param(request.query, "watch", false);
    if (!watch)
      return error_response(400, "BadRequest", "invalid boolean value for watch");
    if (*watch)
      return watch_objects(c);
    return collection ? list_objects(c) : get_object(c);
  }
  if (m == "POST") {
    if (collection || parsed->subresource == "binding")
      return create_object(c);
  } else if (m == "PUT") {
    if (!collection)
      return update_object(c);
  } else if (m == "PATCH") {
    if (!collection)
      return patch_object(c);
  } else if (m == "DELETE") {
    if (!parsed->subresource.empty())
      return error_response(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    return collection ? delete_collection(c) : delete_object(c);
  }
  return error_response(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

api_response api_handler::serve_non_resource(const api_request& request, bool) {
  const auto& path = request.path;
  if (request.method != "GET" && request.method != "HEAD")
    return error_response(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  if (path == "/healthz" || path == "/readyz" || path == "/livez")
    return text_response(200, "ok", "text/plain; charset=utf-8");
  if (path == "/version")
    return json_response(200, version_info());
  if (path == "/openapi/v3" || path.starts_with("/openapi/v3/"))
    return serve_openapi(request);
  return error_response(404, "NotFound", "the server could not find the requested resource");
}

api_response api_handler::serve_discovery(const api_request& request, const request_path& p) {
  if (request.method != "GET" && request.method != "HEAD")
    return error_response(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  auto snapshot = registry_.snapshot();
  if (p.discovery == "api" || p.discovery == "apis") {
    bool core = p.discovery == "api";
    auto format = negotiate_discovery(request.accept);
    if (format.aggregated) {
      auto r = json_response(200, aggregated_discovery(snapshot, core));
      r.content_type = format.content_type;
      return r;
    }
    if (!core)
      return json_response(200, api_group_list(snapshot));
    std::lock_guard guard{address_mu_};
    return json_response(200, api_versions(server_address_));
  }
  if (p.discovery == "group") {
    for (const auto& gv : snapshot.group_versions())
      if (gv.group == p.group) {
        json version = {{"groupVersion", gv.str()}, {"version", gv.version}};
        return json_response(200, {{"kind", "APIGroup"},
                                   {"apiVersion", "v1"},
                                   {"name", gv.group},
                                   {"versions", json::array({version})},
                                   {"preferredVersion", version}});
      }
    return error_response(404, "NotFound", "the server could not find the requested resource");
  }
  auto list = api_resource_list(snapshot, p.group, p.version);
  if (!list)
    return error_response(404, "NotFound", "the server could not find the requested resource");
  return json_response(200, *list);
}

api_response api_handler::serve_openapi(const api_request& request) {
  std::shared_ptr<const openapi_index> index;
  {
    std::lock_guard guard{openapi_mu_};
    if (!openapi_ || openapi_->generation != registry_.generation())
      openapi_ = std::make_shared<const openapi_index>(build_openapi(registry_.snapshot()));
    index = openapi_;
  }
  if (request.path == "/openapi/v3")
    return json_response(200, index->root());
  auto doc = index->find(std::string_view(request.path).substr(std::string_view("/openapi/v3/").size()));
  if (doc == nullptr)
    return error_response(404, "NotFound", "the server could not find the requested resource");
  return text_response(200, doc->body);
}

} // namespace podvisor::kube::apiserver
