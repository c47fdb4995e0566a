#include "kube/podlet/sandbox_runtime.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "kube/podlet/cgroup.hpp"
#include "kube/podlet/container_record.hpp"
#include "kube/podlet/host_command.hpp"
#include "kube/podlet/mounts.hpp"
#include "kube/podlet/pod_network.hpp"
#include "kube/podlet/volumes.hpp"

namespace podvisor::kube::podlet {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// What the runtime remembers of a pod (pod.json).
struct pod_state {
  std::string uid, namespace_, name, ip, veth;
  bool host_network = false;
  bool ready = false;
  std::vector<std::string> containers;
};

json to_json(const pod_state& s) {
  return json{{"uid", s.uid},   {"namespace", s.namespace_}, {"name", s.name},         {"ip", s.ip},
              {"veth", s.veth}, {"hostNetwork", s.host_network}, {"ready", s.ready}, {"containers", s.containers}};
}

expected<pod_state> read_state(const fs::path& file) {
  auto text = read_text(file.string());
  if (!text)
    return text.error();
  try {
    auto j = json::parse(*text);
    pod_state s;
    s.uid = j.at("uid").get<std::string>();
    s.namespace_ = j.value("namespace", "");
    s.name = j.value("name", "");
    s.ip = j.value("ip", "");
    s.veth = j.value("veth", "");
    s.host_network = j.value("hostNetwork", false);
    s.ready = j.value("ready", false);
    s.containers = j.value("containers", std::vector<std::string>{});
    return s;
  } catch (const std::exception& e) {
    return error{errc::parse_error, file.string() + ": " + e.what()};
  }
}

/// A veth name for the node side, unique per node: "pv" + 8 hex digits of the uid's hash.
std::string veth_name(const std::string& uid) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "pv%08zx", std::hash<std::string>{}(uid) & 0xffffffffu);
  return buf;
}

bool alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

/// Waits until `done()` or `timeout`; checks every 20 ms.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return true;
}

container_observation observe_container(const std::string& name, const fs::path& record_file) {
  container_observation o;
  o.name = name;
  auto text = read_text(record_file.string());
  if (!text) {
    o.reason = "ContainerCreating";
    return o;
  }
  auto r = decode_container_record(*text);
  if (!r) {
    o.reason = "ContainerCreating";
    o.message = r.error().to_string();
    return o;
  }
  o.started_at_ns = r->started_at_ns;
  o.finished_at_ns = r->finished_at_ns;
  switch (r->current) {
  case container_record::phase::failed:
    o.current = container_observation::state::waiting;
    o.reason = "CreateContainerError";
    o.message = r->message;
    return o;
  case container_record::phase::running:
    if (alive(r->pid) || alive(r->shim_pid)) {
      o.current = container_observation::state::running;
      o.pid = r->pid;
      return o;
    }
    // Both gone without a record of the exit: the shim was killed.
    o.current = container_observation::state::terminated;
    o.reason = "Error";
    o.message = "the container's monitor (podvisor-shim) died; its exit status is unknown";
    o.exit_code = 255;
    return o;
  case container_record::phase::exited:
    o.current = container_observation::state::terminated;
    o.exit_code = r->exit_code;
    o.signal = r->signal;
    o.reason = r->oom_killed ? "OOMKilled" : (r->exit_code == 0 ? "Completed" : "Error");
    return o;
  }
  return o;
}

class sandbox_runtime final : public pod_runtime {
public:
  explicit sandbox_runtime(sandbox_runtime_config c) : cfg_(std::move(c)) {}

  expected<pod_observation> run_pod(const json& pod) override {
    const std::string uid = pod.is_object() ? pod.value("/metadata/uid"_json_pointer, std::string{}) : std::string{};
    if (uid.empty())
      return error{errc::invalid_argument, "the pod has no metadata.uid"};
    auto held = pod_lock(uid);
    std::lock_guard lock{*held};
    if (auto s = read_state(pod_dir(uid) / "pod.json"); s && s->ready)
      return observe_locked(uid);
    (void)remove_locked(uid); // half-made by a crashed run
    if (auto e = create(pod)) {
      (void)remove_locked(uid);
      return e;
    }
    return observe_locked(uid);
  }

  expected<pod_observation> observe(const std::string& uid) override {
    auto held = pod_lock(uid);
    std::lock_guard lock{*held};
    return observe_locked(uid);
  }

  error signal_pod(const std::string& uid, int signal) override {
    auto held = pod_lock(uid);
    std::lock_guard lock{*held};
    auto s = read_state(pod_dir(uid) / "pod.json");
    if (!s)
      return error{errc::not_found, "pod " + uid + " is not on node " + cfg_.node_name};
    for (const auto& c : s->containers) {
      auto o = observe_container(c, record_file(uid, c));
      if (o.current == container_observation::state::running && o.pid > 0 && ::kill(o.pid, signal) != 0 &&
          errno != ESRCH)
        return error{errc::io_error, "signal container " + c + ": " + std::strerror(errno)};
    }
    return {};
  }

  error remove_pod(const std::string& uid) override {
    auto held = pod_lock(uid);
    error e;
    {
      std::lock_guard lock{*held};
      e = remove_locked(uid);
    }
    if (e.ok())
      forget_pod_lock(uid, held);
    return e;
  }

  std::vector<std::string> list_pods() override {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator{cfg_.state_dir / "pods", ec})
      if (e.is_directory())
        out.push_back(e.path().filename().string());
    return out;
  }

private:
  /// The lock of one pod. Calls on different pods run side by side (a burst of pods on
  /// a node starts in parallel, and observing one never waits for another's start);
  /// calls on the same pod take turns.
  std::shared_ptr<std::mutex> pod_lock(const std::string& uid) {
    std::lock_guard guard{locks_mutex_};
    auto& m = pod_locks_[uid];
    if (!m)
      m = std::make_shared<std::mutex>();
    return m;
  }

  /// Drops a removed pod's lock unless another call holds it too (the map's reference
  /// and the caller's are the only two).
  void forget_pod_lock(const std::string& uid, std::shared_ptr<std::mutex>& held) {
    std::lock_guard guard{locks_mutex_};
    auto it = pod_locks_.find(uid);
    if (it != pod_locks_.end() && it->second == held && held.use_count() == 2)
      pod_locks_.erase(it);
  }

  fs::path pod_dir(const std::string& uid) const { return cfg_.state_dir / "pods" / uid; }
  fs::path record_file(const std::string& uid, const std::string& c) const {
    return pod_dir(uid) / "containers" / (c + ".json");
  }

  std::vector<std::string> used_ips() const {
    std::vector<std::string> out{cfg_.gateway};
    std::error_code ec;
    for (const auto& e : fs::directory_iterator{cfg_.state_dir / "pods", ec})
      if (auto s = read_state(e.path() / "pod.json"); s && !s->ip.empty())
        out.push_back(s->ip);
    return out;
  }

  error create_network(const pod_state& s, const fs::path& dir) {
    const fs::path net = dir / "net";
    if (auto e = create_netns_file(net))
      return e;
    return wire_pod_network(pod_wiring{cfg_.node_netns, cfg_.node_bridge, s.veth, s.ip, cfg_.pod_cidr, cfg_.gateway},
                            net);
  }

  error create_mounts(const pod_plan& plan, const fs::path& dir) {
    // Sources first: a hostPath DirectoryOrCreate mounted at its own path (the node
    // agent's per-VMI directory in launcher pods) is its mount point too.
    if (auto e = prepare_volume_sources(plan, dir / "volumes"))
      return e;
    if (auto e = check_mount_points(plan))
      return e;
    const fs::path mnt = dir / "mnt";
    { std::ofstream touch{mnt}; }
    auto steps = plan_volume_mounts(plan, dir / "volumes");
    // Last, drop the pod's copy of the state directory mount: it holds the namespace
    // files of every pod, which would otherwise stay alive as long as this pod does.
    steps.push_back(mount_step::detach(cfg_.state_dir.string()));
    return create_mount_namespace(mnt, steps);
  }

  error create(const json& pod) {
    auto draft = plan_pod(pod, "", cfg_.resolve);
    if (!draft)
      return draft.error();
    const std::string pod_ref = "pod " + draft->namespace_ + "/" + draft->name;
    const fs::path dir = pod_dir(draft->uid);
    std::error_code ec;
    for (const char* sub : {"containers", "logs", "volumes", "specs"})
      fs::create_directories(dir / sub, ec);
    if (ec)
      return error{errc::io_error, "create " + dir.string() + ": " + ec.message()};
    pod_state s{draft->uid, draft->namespace_, draft->name, {}, {}, draft->host_network, false, {}};
    for (const auto& c : draft->containers)
      s.containers.push_back(c.name);
    {
      // Pods start side by side: the address is chosen and recorded in pod.json (where
      // used_ips finds it) under one lock, so two pods never take the same one.
      std::lock_guard allocating{ip_mutex_};
      if (s.host_network) {
        s.ip = cfg_.node_ip;
      } else {
        auto ip = allocate_ip(cfg_.pod_cidr, used_ips());
        if (!ip)
          return ip.error().with_context(pod_ref);
        s.ip = *ip;
        s.veth = veth_name(s.uid);
      }
      // Written before anything is made, so a removal after a crash knows what to undo.
      if (auto e = write_atomically((dir / "pod.json").string(), to_json(s).dump()))
        return e;
    }
    if (!s.host_network)
      if (auto e = create_network(s, dir))
        return e.with_context(pod_ref + ": network");
    auto plan = plan_pod(pod, s.ip, cfg_.resolve);
    if (!plan)
      return plan.error();
    auto cg = locate_pod_cgroup(cfg_.node_name, s.uid);
    if (!cg)
      return cg.error().with_context(pod_ref + ": cgroup");
    if (auto e = create_pod_cgroup(*cg, {plan->memory_limit_bytes, plan->cpu_limit_millis}))
      return e.with_context(pod_ref + ": cgroup");
    if (auto e = create_mounts(*plan, dir))
      return e.with_context(pod_ref + ": volumes");
    for (const auto& c : plan->containers) {
      launch_spec spec{c.argv,
                       c.env,
                       c.working_dir,
                       s.host_network ? cfg_.node_netns : (dir / "net").string(),
                       (dir / "mnt").string(),
                       cg->procs_files(),
                       cg->oom_file(),
                       (dir / "logs" / (c.name + ".log")).string(),
                       record_file(s.uid, c.name).string()};
      const std::string spec_file = (dir / "specs" / (c.name + ".json")).string();
      if (auto e = write_atomically(spec_file, encode(spec)))
        return e;
      auto started = run_command({cfg_.shim_path, spec_file});
      if (!started) {
        // The shim printed why (a missing program, a bad workingDir); say that first.
        auto why = read_text(record_file(s.uid, c.name).string());
        auto rec = why ? decode_container_record(*why) : expected<container_record>{why.error()};
        return error{errc::invalid_argument,
                     pod_ref + " container '" + c.name + "': " + (rec ? rec->message : started.error().message)};
      }
    }
    s.ready = true;
    return write_atomically((dir / "pod.json").string(), to_json(s).dump());
  }

  expected<pod_observation> observe_locked(const std::string& uid) {
    auto s = read_state(pod_dir(uid) / "pod.json");
    if (!s)
      return error{errc::not_found, "pod " + uid + " is not on node " + cfg_.node_name};
    pod_observation o;
    o.uid = s->uid;
    o.namespace_ = s->namespace_;
    o.name = s->name;
    o.pod_ip = s->ip;
    o.sandbox_ready = s->ready;
    for (const auto& c : s->containers)
      o.containers.push_back(observe_container(c, record_file(uid, c)));
    return o;
  }

  error remove_locked(const std::string& uid) {
    const fs::path dir = pod_dir(uid);
    if (uid.empty() || uid.find('/') != std::string::npos || !fs::exists(dir))
      return {};
    auto s = read_state(dir / "pod.json");
    auto cg = locate_pod_cgroup(cfg_.node_name, uid);
    // Kill: every container pid on record, everything in the cgroup, then the shims
    // (which record the exits first, harmlessly).
    std::vector<int> shims;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator{dir / "containers", ec}) {
      if (e.path().extension() != ".json")
        continue;
      auto text = read_text(e.path().string());
      auto r = text ? decode_container_record(*text) : expected<container_record>{text.error()};
      if (r && r->current == container_record::phase::running) {
        if (alive(r->pid))
          ::kill(r->pid, SIGKILL);
        shims.push_back(r->shim_pid);
      }
    }
    auto cgroup_empty = [&] {
      if (!cg)
        return true;
      auto pids = cgroup_pids(*cg);
      for (int p : pids)
        ::kill(p, SIGKILL);
      return pids.empty();
    };
    error first;
    if (!wait_until(cgroup_empty, std::chrono::seconds{10}))
      first = error{errc::timeout, "pod " + uid + ": processes in its cgroup survived SIGKILL"};
    if (!wait_until([&] {
          for (int p : shims)
            if (alive(p) && ::kill(p, SIGKILL) == 0)
              return false;
          return true;
        },
                    std::chrono::seconds{5}) &&
        first.ok())
      first = error{errc::timeout, "pod " + uid + ": a shim survived SIGKILL"};
    auto note = [&first](error e) {
      if (e && first.ok())
        first = std::move(e);
    };
    if (s && !s->veth.empty())
      note(remove_pod_veth(cfg_.node_netns, s->veth));
    note(unmount_tree(dir));
    if (cg)
      note(remove_pod_cgroup(*cg));
    if (first.ok()) {
      fs::remove_all(dir, ec);
      if (ec)
        note(error{errc::io_error, "remove " + dir.string() + ": " + ec.message()});
    }
    return first;
  }

  sandbox_runtime_config cfg_;
  std::mutex ip_mutex_;
  std::mutex locks_mutex_;
  std::map<std::string, std::shared_ptr<std::mutex>> pod_locks_;
};

} // namespace

expected<std::unique_ptr<pod_runtime>> make_sandbox_runtime(sandbox_runtime_config config) {
  if (config.node_name.empty() || config.state_dir.empty() || config.node_netns.empty() || config.pod_cidr.empty() ||
      config.gateway.empty() || config.node_bridge.empty())
    return error{errc::invalid_argument,
                 "the sandbox runtime needs node_name, node_netns, node_bridge, gateway, pod_cidr and state_dir"};
  if (auto e = ensure_private_mount(config.state_dir))
    return e;
  std::error_code ec;
  fs::create_directories(config.state_dir / "pods", ec);
  if (ec)
    return error{errc::io_error, "create " + (config.state_dir / "pods").string() + ": " + ec.message()};
  return std::unique_ptr<pod_runtime>{std::make_unique<sandbox_runtime>(std::move(config))};
}

} // namespace podvisor::kube::podlet
