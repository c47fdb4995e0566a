#pragma once
// The generic name rules of Kubernetes (k8s.io/apimachinery/pkg/util/validation and
// pkg/api/validate/content): RFC 1123 labels and subdomains, qualified names (label and
// annotation keys), label values. Each `is_*` function returns the list of problems in
// apimachinery's own words, empty when the value is valid, so callers can wrap them in
// field errors exactly as the Go code does.
//
// Wording follows the current apimachinery: DNS rules say "a lowercase RFC 1123 label ..."
// and "must be no more than N characters"; label keys and values (the `content` package)
// say "must be no more than N bytes" and "a valid label key ...".

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api/field_error.hpp"
#include "kube/api/validation/field_path.hpp"

namespace podvisor::kube::api {

/// Longest RFC 1123 label (and RFC 1035 label).
inline constexpr std::size_t dns1123_label_max_length = 63;
/// Longest RFC 1123 subdomain.
inline constexpr std::size_t dns1123_subdomain_max_length = 253;
/// Longest name part of a qualified name / label key, and longest label value.
inline constexpr std::size_t label_key_name_max_length = 63;
inline constexpr std::size_t label_value_max_length = 63;

/// True when `value` matches `[a-z0-9]([-a-z0-9]*[a-z0-9])?` (length not checked).
bool matches_dns1123_label(std::string_view value);
/// True when `value` is dot-separated RFC 1123 labels (length not checked).
bool matches_dns1123_subdomain(std::string_view value);

/// IsDNS1123Label: at most 63 characters, lower-case alphanumerics and '-', alphanumeric
/// at both ends. A value that is a valid subdomain gets "must not contain dots".
std::vector<std::string> is_dns1123_label(std::string_view value);

/// IsDNS1123Subdomain: at most 253 characters, RFC 1123 labels joined by '.'.
std::vector<std::string> is_dns1123_subdomain(std::string_view value);

/// IsQualifiedName / IsLabelKey: `[prefix/]name`, the prefix a DNS subdomain, the name at
/// most 63 bytes of alphanumerics, '-', '_', '.', alphanumeric at both ends.
std::vector<std::string> is_qualified_name(std::string_view value);

/// IsValidLabelValue: empty, or at most 63 bytes shaped like a label key's name part.
std::vector<std::string> is_label_value(std::string_view value);

/// IsValidPortName (IANA_SVC_NAME): at most 15 characters of [-a-z0-9], at least one
/// letter, no "--", no '-' at either end.
std::vector<std::string> is_port_name(std::string_view value);

/// Adds one "Invalid value" error at `path` for each message of `messages`.
void add_invalid_each(field_errors& errors, const field_path& path, std::string_view value,
                      const std::vector<std::string>& messages);

/// Validates a name that must be an RFC 1123 label; empty names are "Required value".
void validate_dns1123_label(std::string_view value, const field_path& path, field_errors& errors);

/// Validates a name that must be an RFC 1123 subdomain; empty names are "Required value".
void validate_dns1123_subdomain(std::string_view value, const field_path& path,
                                field_errors& errors);

} // namespace podvisor::kube::api
