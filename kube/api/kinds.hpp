#pragma once
// What the REST layer (API server, client, informers) needs to know about each kind:
// group, version, kind, plural resource name, short names, scope. Specialize
// `kind_info<T>` next to each top-level type.

#include <array>
#include <string_view>

namespace podvisor::kube::api {

/// Static facts about one API kind.
struct kind_descriptor {
  std::string_view group;     ///< "" for the core group
  std::string_view version;   ///< "v1"
  std::string_view kind;      ///< "VirtualMachineInstance"
  std::string_view list_kind; ///< "VirtualMachineInstanceList"
  std::string_view plural;    ///< "virtualmachineinstances"
  std::string_view singular;  ///< "virtualmachineinstance"
  std::array<std::string_view, 3> short_names{}; ///< unused slots empty
  bool namespaced = true;
  bool has_status = true; ///< a /status subresource exists

  /// "kubevirt.io/v1", or "v1" for the core group.
  constexpr std::string_view api_version() const { return api_version_; }
  std::string_view api_version_;
};

/// Specialized for every top-level kind with `static constexpr kind_descriptor value`.
template <class T>
struct kind_info;

template <class T>
concept api_kind = requires { kind_info<T>::value; };

} // namespace podvisor::kube::api
