#include "introspect/publication.hpp"

#include "common/base64.hpp"

namespace podvisor::introspect {

std::string endpoint_url(std::string_view ip, int port) {
  bool v6 = ip.find(':') != std::string_view::npos;
  return "https://" + (v6 ? "[" + std::string(ip) + "]" : std::string(ip)) + ":" + std::to_string(port);
}

nlohmann::json credentials_secret(std::string_view token, std::string_view ca_pem) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", secret_name}, {"namespace", secret_namespace}}},
          {"type", "Opaque"},
          {"data", {{"token", base64_encode(token)}, {"ca.crt", base64_encode(ca_pem)}}}};
}

nlohmann::json endpoint_annotation_patch(std::string_view url) {
  return {{"metadata", {{"annotations", {{std::string(endpoint_annotation), url}}}}}};
}

} // namespace podvisor::introspect
