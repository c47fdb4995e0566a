#include "kube/podlet/cgroup.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace podvisor::kube::podlet {

namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

error write_file(const std::string& path, const std::string& value) {
  std::ofstream out{path};
  out << value;
  out.flush();
  if (!out)
    return error{errc::io_error, "write '" + value + "' to " + path + ": " + std::strerror(errno)};
  return {};
}

constexpr std::int64_t cfs_period = 100000;

} // namespace

std::vector<std::pair<std::string, std::string>> render_cgroup_limits(cgroup_version v, const cgroup_limits& l) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto quota = l.cpu_millis ? std::max<std::int64_t>(1000, *l.cpu_millis * cfs_period / 1000) : -1;
  if (v == cgroup_version::v1) {
    out.emplace_back("memory/memory.limit_in_bytes", l.memory_bytes ? std::to_string(*l.memory_bytes) : "-1");
    out.emplace_back("cpu/cpu.cfs_period_us", std::to_string(cfs_period));
    out.emplace_back("cpu/cpu.cfs_quota_us", std::to_string(quota));
  } else {
    out.emplace_back("memory.max", l.memory_bytes ? std::to_string(*l.memory_bytes) : "max");
    // No swap, so a limit means what it says (v1 has no swap accounting by default).
    out.emplace_back("memory.swap.max", l.memory_bytes ? "0" : "max");
    out.emplace_back("cpu.max", (l.cpu_millis ? std::to_string(quota) : "max") + " " + std::to_string(cfs_period));
  }
  return out;
}

expected<std::string> own_cgroup(const std::string& text, const std::string& controller) {
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    // hierarchy-id:controller-list:path
    auto a = line.find(':');
    auto b = line.find(':', a == std::string::npos ? 0 : a + 1);
    if (a == std::string::npos || b == std::string::npos)
      continue;
    const std::string list = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    if (controller.empty()) {
      if (line.compare(0, a, "0") == 0 && list.empty())
        return path;
      continue;
    }
    std::istringstream names{list};
    std::string n;
    while (std::getline(names, n, ','))
      if (n == controller)
        return path;
  }
  return error{errc::not_found, "no cgroup for controller '" + (controller.empty() ? "unified" : controller) + "'"};
}

std::uint64_t parse_oom_kills(const std::string& text) {
  std::istringstream in{text};
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value)
    if (key == "oom_kill")
      return value;
  return 0;
}

std::string pod_cgroup::oom_file() const {
  return dirs.at(0) + (version == cgroup_version::v1 ? "/memory.oom_control" : "/memory.events");
}

std::vector<std::string> pod_cgroup::procs_files() const {
  std::vector<std::string> out;
  for (const auto& d : dirs)
    out.push_back(d + "/cgroup.procs");
  return out;
}

expected<pod_cgroup> locate_pod_cgroup(const std::string& node, const std::string& uid) {
  const std::string self = read_file("/proc/self/cgroup");
  const std::string leaf = "/podvisor-" + node + "/pod-" + uid;
  pod_cgroup cg;
  if (fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes") || fs::exists("/sys/fs/cgroup/memory/tasks")) {
    cg.version = cgroup_version::v1;
    for (const char* c : {"memory", "cpu"}) {
      auto own = own_cgroup(self, c);
      if (!own)
        return own.error();
      cg.dirs.push_back("/sys/fs/cgroup/" + std::string{c} + (*own == "/" ? "" : *own) + leaf);
    }
    return cg;
  }
  if (fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
    cg.version = cgroup_version::v2;
    auto own = own_cgroup(self, "");
    if (!own)
      return own.error();
    cg.dirs.push_back("/sys/fs/cgroup" + (*own == "/" ? "" : *own) + leaf);
    return cg;
  }
  return error{errc::unsupported, "no cgroup v1 memory hierarchy and no cgroup v2 at /sys/fs/cgroup"};
}

error create_pod_cgroup(const pod_cgroup& cg, const cgroup_limits& limits) {
  for (const auto& d : cg.dirs) {
    if (cg.version == cgroup_version::v2) {
      // Controllers must be enabled on the way down from the runtime's own cgroup. That
      // fails if the own cgroup holds processes and is not the root (cgroup v2's "no
      // internal processes"): run the podlet in a cgroup of its own then.
      const fs::path node_dir = fs::path{d}.parent_path();
      for (const auto& dir : {node_dir.parent_path(), node_dir}) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (auto e = write_file((dir / "cgroup.subtree_control").string(), "+memory +cpu"))
          return e.with_context("enable the memory and cpu controllers (start the podlet in a cgroup without other processes)");
      }
    }
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec)
      return error{errc::io_error, "create cgroup " + d + ": " + ec.message()};
  }
  for (const auto& [file, value] : render_cgroup_limits(cg.version, limits)) {
    std::string path;
    if (cg.version == cgroup_version::v1) {
      const bool memory = file.rfind("memory/", 0) == 0;
      path = cg.dirs.at(memory ? 0 : 1) + "/" + file.substr(file.find('/') + 1);
    } else {
      path = cg.dirs.at(0) + "/" + file;
    }
    if (file == "memory.swap.max" && !fs::exists(path))
      continue;
    if (auto e = write_file(path, value))
      return e;
  }
  return {};
}

std::vector<int> cgroup_pids(const pod_cgroup& cg) {
  std::vector<int> out;
  for (const auto& f : cg.procs_files()) {
    std::ifstream in{f};
    int pid = 0;
    while (in >> pid)
      out.push_back(pid);
  }
  return out;
}

error remove_pod_cgroup(const pod_cgroup& cg) {
  for (const auto& d : cg.dirs)
    if (::rmdir(d.c_str()) != 0 && errno != ENOENT)
      return error{errc::io_error, "remove cgroup " + d + ": " + std::strerror(errno)};
  // The per-node parent goes when its last pod does; failing (other pods) is fine.
  for (const auto& d : cg.dirs)
    (void)::rmdir(fs::path{d}.parent_path().c_str());
  return {};
}

} // namespace podvisor::kube::podlet
