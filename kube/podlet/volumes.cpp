#include "kube/podlet/volumes.hpp"

#include <algorithm>
#include <fstream>
#include <sys/stat.h>

namespace podvisor::kube::podlet {

namespace {

namespace fs = std::filesystem;

error check_host_path(const volume_plan& v) {
  const std::string where = "volume '" + v.name + "': hostPath " + v.host_path;
  std::error_code ec;
  if (v.host_path_type == "DirectoryOrCreate" && !fs::exists(v.host_path)) {
    fs::create_directories(v.host_path, ec);
    if (ec)
      return error{errc::io_error, where + ": " + ec.message()};
    fs::permissions(v.host_path, fs::perms{0755}, ec);
  }
  if (v.host_path_type == "FileOrCreate" && !fs::exists(v.host_path)) {
    std::ofstream touch{v.host_path};
    if (!touch)
      return error{errc::io_error, where + ": cannot create the file"};
  }
  if (v.host_path_type.empty())
    return {};
  struct stat st{};
  if (::stat(v.host_path.c_str(), &st) != 0)
    return error{errc::not_found, where + " does not exist (type " + v.host_path_type + ")"};
  const std::string& t = v.host_path_type;
  bool ok = true;
  if (t == "Directory" || t == "DirectoryOrCreate")
    ok = S_ISDIR(st.st_mode);
  else if (t == "File" || t == "FileOrCreate")
    ok = S_ISREG(st.st_mode);
  else if (t == "Socket")
    ok = S_ISSOCK(st.st_mode);
  else if (t == "CharDevice")
    ok = S_ISCHR(st.st_mode);
  else if (t == "BlockDevice")
    ok = S_ISBLK(st.st_mode);
  if (!ok)
    return error{errc::invalid_argument, where + " is not a " + t};
  return {};
}

error write_files(const volume_plan& v, const fs::path& dir) {
  for (const auto& f : v.files) {
    const fs::path p = dir / f.path;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    std::ofstream out{p, std::ios::binary | std::ios::trunc};
    out << f.content;
    out.close();
    if (!out)
      return error{errc::io_error, "volume '" + v.name + "': write " + p.string()};
    fs::permissions(p, static_cast<fs::perms>(f.mode), ec);
    if (ec)
      return error{errc::io_error, "volume '" + v.name + "': chmod " + p.string() + ": " + ec.message()};
  }
  return {};
}

const volume_plan& volume_of(const pod_plan& plan, const std::string& name) {
  return *std::find_if(plan.volumes.begin(), plan.volumes.end(), [&](const auto& v) { return v.name == name; });
}

} // namespace

error prepare_volume_sources(const pod_plan& plan, const fs::path& volumes_dir) {
  for (const auto& v : plan.volumes) {
    if (v.type == volume_plan::kind::host_path) {
      if (auto e = check_host_path(v))
        return e;
      continue;
    }
    const fs::path dir = volumes_dir / v.name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      return error{errc::io_error, "volume '" + v.name + "': create " + dir.string() + ": " + ec.message()};
    fs::permissions(dir, fs::perms{0777}, ec); // emptyDir is world-writable, as in Kubernetes
    if (v.type == volume_plan::kind::files)
      if (auto e = write_files(v, dir))
        return e;
  }
  // A subPath of an emptyDir is made on first use, as the kubelet does.
  for (const auto& m : plan.mounts) {
    const auto& v = volume_of(plan, m.volume);
    if (m.sub_path.empty() || v.type != volume_plan::kind::empty_dir)
      continue;
    std::error_code ec;
    fs::create_directories(volumes_dir / v.name / m.sub_path, ec);
    if (ec)
      return error{errc::io_error, "volume '" + v.name + "': subPath " + m.sub_path + ": " + ec.message()};
  }
  return {};
}

std::vector<mount_step> plan_volume_mounts(const pod_plan& plan, const fs::path& volumes_dir) {
  std::vector<mount_step> out;
  for (const auto& v : plan.volumes)
    if (v.type == volume_plan::kind::memory_dir) {
      std::string options = "mode=0777";
      if (v.size_limit > 0)
        options += ",size=" + std::to_string(v.size_limit);
      out.push_back(mount_step::tmpfs((volumes_dir / v.name).string(), options));
    }
  for (const auto& m : plan.mounts) {
    const auto& v = volume_of(plan, m.volume);
    fs::path source = v.type == volume_plan::kind::host_path ? fs::path{v.host_path} : volumes_dir / v.name;
    if (!m.sub_path.empty())
      source /= m.sub_path;
    out.push_back(mount_step::bind(source.string(), m.mount_path));
    if (m.read_only)
      out.push_back(mount_step::remount_read_only(m.mount_path));
  }
  return out;
}

error check_mount_points(const pod_plan& plan) {
  for (const auto& m : plan.mounts)
    if (!fs::exists(m.mount_path))
      return error{errc::not_found, "volumeMount '" + m.volume + "': mountPath " + m.mount_path +
                                        " does not exist on the node (simulated pods share its root filesystem)"};
  return {};
}

} // namespace podvisor::kube::podlet
