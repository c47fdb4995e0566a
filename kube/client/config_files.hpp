#pragma once
// Small helpers shared by the configuration loaders (kubeconfig.cpp, in_cluster.cpp,
// token_source.cpp): reading a credential file with an error that names it, base64 as
// kubeconfigs carry certificates, and trimming a token. Internal to kube/client.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace podvisor::kube::client {

/// The whole content of `file`. not_found when it does not exist, io_error when it cannot
/// be read, resource_exhausted beyond 16 MiB (no credential or kubeconfig is that big; a
/// device file is); the message names `what` and the path ("token file /x: no such file").
expected<std::string> read_text_file(const std::filesystem::path& file, std::string_view what);

/// Decodes standard base64 (RFC 4648, "=" padding optional, whitespace ignored); nothing
/// for any other character.
std::optional<std::string> base64_decode(std::string_view text);

/// `s` without leading and trailing whitespace (token files end with a newline).
std::string trim(std::string_view s);

/// Whether `text` holds at least one PEM block of the given label ("CERTIFICATE").
bool has_pem_block(std::string_view text, std::string_view label);

} // namespace podvisor::kube::client
