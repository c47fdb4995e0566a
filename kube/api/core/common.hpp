#pragma once
// Small pieces shared by several core/v1 kinds: the tri-state condition status and the
// resource list (resource name -> quantity) used by containers, nodes and claims.

#include <array>
#include <map>
#include <string>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/quantity.hpp"

namespace podvisor::kube::api {

/// core/v1 ConditionStatus.
enum class condition_status { true_, false_, unknown };

template <>
struct enum_table<condition_status> {
  static constexpr std::array entries = {
    enum_entry{condition_status::true_, "True"},
    enum_entry{condition_status::false_, "False"},
    enum_entry{condition_status::unknown, "Unknown"},
  };
};

/// core/v1 ResourceList: "cpu", "memory", "storage", "hugepages-2Mi", device plugin names...
/// Keys stay open strings because extended resources are named by their vendors.
using resource_list = std::map<std::string, quantity>;

} // namespace podvisor::kube::api
