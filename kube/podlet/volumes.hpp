#pragma once
// A pod's volumes on a simulated node: their sources prepared on the node (a directory
// per emptyDir and configMap/secret under the pod's state, hostPath checked against its
// type), then mounted inside the pod's mount namespace by steps planned up front.

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "kube/podlet/mount_namespace.hpp"
#include "kube/podlet/pod_plan.hpp"

namespace podvisor::kube::podlet {

/// Creates each volume's source under `volumes_dir` (<name>/) and checks hostPaths
/// (Directory/File/Socket/... must exist and be of that kind; DirectoryOrCreate and
/// FileOrCreate create it). Errors name the volume.
error prepare_volume_sources(const pod_plan& plan, const std::filesystem::path& volumes_dir);

/// The mount steps, to perform inside the pod's mount namespace in order: a tmpfs for
/// each Memory emptyDir, a bind per mount (read-only ones remounted ro). Pure.
std::vector<mount_step> plan_volume_mounts(const pod_plan& plan, const std::filesystem::path& volumes_dir);

/// not_found naming the mount when a mountPath does not exist on the node (simulated
/// pods share the node's root filesystem, so it cannot be created for them).
error check_mount_points(const pod_plan& plan);

} // namespace podvisor::kube::podlet
