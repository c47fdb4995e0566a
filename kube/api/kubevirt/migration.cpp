#include "kube/api/kubevirt/migration.hpp"

namespace podvisor::kube::api {

template decoded<virtual_machine_instance_migration> decode<virtual_machine_instance_migration>(const json&);
template json encode<virtual_machine_instance_migration>(const virtual_machine_instance_migration&);
template json schema<virtual_machine_instance_migration>();

} // namespace podvisor::kube::api
