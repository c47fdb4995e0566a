#include "cmd/podvisor/introspect_target.hpp"

#include "common/base64.hpp"
#include "kube/client/resource.hpp"

namespace podvisor::cli {

namespace {

std::string string_at(const nlohmann::json& j, const nlohmann::json::json_pointer& p) {
  if (!j.contains(p))
    return {};
  const auto& v = j.at(p);
  return v.is_string() ? v.get<std::string>() : std::string{};
}

} // namespace

expected<introspect_options> parse_introspect_args(const std::vector<std::string_view>& args) {
  introspect_options o;
  std::vector<std::string_view> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      o.help = true;
      return o;
    }
    if (a == "--watch" || a == "-w") {
      o.watch = true;
      continue;
    }
    // "-o json", "-ojson", "--output json", "--output=json"; "-n NS", "--namespace=NS", ...
    std::string value;
    std::string_view matched;
    for (std::string_view flag : {"-n", "--namespace", "--kubeconfig", "-o", "--output"}) {
      if (a == flag) {
        if (i + 1 >= args.size())
          return error{errc::invalid_argument, std::string(flag) + " needs a value"};
        value = std::string(args[++i]);
      } else if (a.starts_with(std::string(flag) + "=")) {
        value = std::string(a.substr(flag.size() + 1));
      } else if (flag == "-o" && a.starts_with("-o") && a.size() > 2) {
        value = std::string(a.substr(2));
      } else {
        continue;
      }
      matched = flag;
      break;
    }
    if (!matched.empty()) {
      if (value.empty())
        return error{errc::invalid_argument, std::string(matched) + " needs a value"};
      if (matched == "-n" || matched == "--namespace")
        o.namespace_ = value;
      else if (matched == "--kubeconfig")
        o.kubeconfig = value;
      else if (value == "json")
        o.json = true;
      else if (value != "text")
        return error{errc::invalid_argument, "unsupported output \"" + value + "\" (text or json)"};
      continue;
    }
    if (a.starts_with("-"))
      return error{errc::invalid_argument, "unknown flag \"" + std::string(a) + "\""};
    positional.push_back(a);
  }
  if (positional.empty())
    return error{errc::invalid_argument, "missing \"vmi NAME\""};
  if (positional.front() != "vmi" && positional.front() != "vmis" && positional.front() != "virtualmachineinstance")
    return error{errc::invalid_argument, "only \"vmi\" can be introspected, not \"" + std::string(positional.front()) + "\""};
  if (positional.size() != 2)
    return error{errc::invalid_argument, positional.size() < 2 ? "missing the VMI's name" : "expected one VMI name"};
  o.name = std::string(positional[1]);
  return o;
}

expected<introspection_target> find_introspection_target(kube::client::api_client& api, std::string_view ns,
                                                         std::string_view name) {
  namespace res = kube::client::resources;
  using ptr = nlohmann::json::json_pointer;
  auto vmi_key = std::string(ns) + "/" + std::string(name);
  auto vmi = api.get(res::virtual_machine_instances(), ns, name);
  if (!vmi) {
    if (vmi.error() == errc::not_found)
      return error{errc::not_found, "VirtualMachineInstance " + vmi_key + " not found"};
    return vmi.error();
  }
  introspection_target t;
  t.node = string_at(*vmi, ptr("/status/nodeName"));
  if (t.node.empty()) {
    auto phase = string_at(*vmi, ptr("/status/phase"));
    return error{errc::unavailable, "VirtualMachineInstance " + vmi_key + " is not scheduled to a node yet (phase "
                                      + (phase.empty() ? "Pending" : phase) + ")"};
  }
  auto node = api.get(res::nodes(), "", t.node);
  if (!node) {
    if (node.error() == errc::not_found)
      return error{errc::not_found, "node " + t.node + " (where " + vmi_key + " runs) not found"};
    return node.error();
  }
  const auto& annotations = node->value("metadata", nlohmann::json::object()).value("annotations", nlohmann::json::object());
  auto endpoint = annotations.find(std::string(introspection_endpoint_annotation));
  if (endpoint == annotations.end() || !endpoint->is_string() || endpoint->get<std::string>().empty())
    return error{errc::not_found, "node " + t.node + " has no " + std::string(introspection_endpoint_annotation)
                                    + " annotation: its node agent does not serve introspection (not started, or "
                                      "started without --introspection-listen)"};
  t.endpoint = endpoint->get<std::string>();
  if (!t.endpoint.starts_with("https://"))
    return error{errc::invalid_argument, "node " + t.node + " announces the introspection endpoint \"" + t.endpoint
                                           + "\", which is not an https:// URL"};

  auto secret_key = std::string(introspection_secret_namespace) + "/" + std::string(introspection_secret_name);
  auto secret = api.get(res::secrets(), introspection_secret_namespace, introspection_secret_name);
  if (!secret) {
    if (secret.error() == errc::not_found)
      return error{errc::not_found, "Secret " + secret_key + " not found: introspection is not set up in this cluster"};
    return secret.error().with_context("reading the introspection credentials");
  }
  auto data_value = [&](const char* key, std::string& out) -> error {
    auto text = string_at(*secret, ptr("/data/" + std::string(key)));
    if (text.empty())
      return {errc::not_found, "Secret " + secret_key + " has no \"" + key + "\" key"};
    auto decoded = base64_decode(text);
    if (!decoded || decoded->empty())
      return {errc::invalid_argument, "Secret " + secret_key + ": \"" + key + "\" is not valid base64"};
    out = std::move(*decoded);
    return {};
  };
  if (auto e = data_value("token", t.token))
    return e;
  while (!t.token.empty() && (t.token.back() == '\n' || t.token.back() == '\r' || t.token.back() == ' '))
    t.token.pop_back();
  if (auto e = data_value("ca.crt", t.ca_pem))
    return e;
  return t;
}

std::string supervisor_path(std::string_view ns, std::string_view name, bool watch) {
  return "/v1/supervisors/" + std::string(ns) + "/" + std::string(name) + (watch ? "?watch=true" : "");
}

} // namespace podvisor::cli
