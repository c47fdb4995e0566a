#include "kube/api/kubevirt/vmi.hpp"

namespace podvisor::kube::api {

template decoded<virtual_machine_instance> decode<virtual_machine_instance>(const json&);
template json encode<virtual_machine_instance>(const virtual_machine_instance&);
template json schema<virtual_machine_instance>();

} // namespace podvisor::kube::api
