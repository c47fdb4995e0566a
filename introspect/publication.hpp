#pragma once
// How a client finds a node agent's introspection endpoint, in one place for the side
// that publishes it (`podvisor up`, the agent) and the side that reads it
// (`podvisor introspect`):
//
//   Node.metadata.annotations["podvisor.io/introspection-endpoint"] = "https://10.44.0.2:8443"
//   Secret kube-system/podvisor-introspection, .data: token (the bearer token every agent
//   accepts, --introspection-token-file), ca.crt (the CA that signed the agents' serving
//   certificates, kube/apiserver/auth/serving_cert.hpp)

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace podvisor::introspect {

inline constexpr std::string_view endpoint_annotation = "podvisor.io/introspection-endpoint";
inline constexpr std::string_view secret_namespace = "kube-system";
inline constexpr std::string_view secret_name = "podvisor-introspection";

/// "https://IP:PORT" ("https://[IPv6]:PORT" for an IPv6 address).
std::string endpoint_url(std::string_view ip, int port);

/// The v1 Secret holding the credentials (data base64-encoded, type Opaque), to create.
nlohmann::json credentials_secret(std::string_view token, std::string_view ca_pem);

/// A merge patch for the Node setting the endpoint annotation.
nlohmann::json endpoint_annotation_patch(std::string_view url);

} // namespace podvisor::introspect
