#include "kube/api/kubevirt/vm.hpp"

namespace podvisor::kube::api {

template decoded<virtual_machine> decode<virtual_machine>(const json&);
template json encode<virtual_machine>(const virtual_machine&);
template json schema<virtual_machine>();

} // namespace podvisor::kube::api
