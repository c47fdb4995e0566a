#pragma once
// Kubernetes-style field errors: every problem with an object is reported at once, each
// with the path of the offending field (`spec.domain.devices.disks[1].disk.bus`), in the
// wording the Kubernetes API machinery uses, so users see familiar messages.

#include <string>
#include <string_view>
#include <vector>

namespace podvisor::kube::api {

/// The kind of problem with a field; mirrors k8s.io/apimachinery/pkg/util/validation/field.
enum class field_error_type {
  required,     ///< a value is missing: "Required value"
  invalid,      ///< a value is malformed or out of range: "Invalid value"
  unsupported,  ///< a value is not one of a fixed set: "Unsupported value"
  duplicate,    ///< a value must be unique and is not: "Duplicate value"
  not_found,    ///< a reference names nothing: "Not found"
  forbidden,    ///< the field must not be set here: "Forbidden"
  too_long,     ///< a string or list is too long: "Too long"
  type_invalid, ///< the JSON type is wrong (string where an integer belongs)
};

/// The short label Kubernetes prints for a type ("Required value", "Invalid value", ...).
std::string_view to_string(field_error_type type);

/// One problem with one field.
struct field_error {
  field_error_type type = field_error_type::invalid;
  /// Dotted path with indices and keys: `spec.volumes[0].name`, `metadata.labels[app]`.
  std::string field;
  /// The offending value already rendered (strings quoted as Go's %q would), or empty.
  std::string value;
  /// Free-form detail: why it is wrong, or for `unsupported` the list of supported values.
  std::string detail;

  /// The whole message as Kubernetes prints it, e.g.
  /// `spec.domain.devices.disks[1].disk.bus: Unsupported value: "ide": supported values: "sata", "virtio"`.
  std::string message() const;

  friend bool operator==(const field_error&, const field_error&) = default;
};

/// Every error found in one object.
using field_errors = std::vector<field_error>;

/// Renders a string value the way Go's %q does (quotes, escapes, non-printables as \x..).
std::string quote(std::string_view value);

/// Joins the messages of `errors` with "; " (the form used inside a Status message).
std::string join_messages(const field_errors& errors);

} // namespace podvisor::kube::api
