#include "kube/cluster/embedded_cluster.hpp"

#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "introspect/publication.hpp"
#include "kube/apiserver/auth/secure_file.hpp"
#include "kube/apiserver/auth/serving_cert.hpp"
#include "kube/apiserver/server/embedded_server.hpp"
#include "kube/podlet/mounts.hpp"
#include "kube/podlet/sandbox_runtime.hpp"

namespace podvisor::kube::cluster {

namespace {

using clock_type = std::chrono::steady_clock;
constexpr auto poll_interval = std::chrono::milliseconds{200};

/// The last lines of a component's log, for an error that says why it failed.
std::string log_tail(const std::filesystem::path& log, std::size_t lines = 8) {
  std::ifstream in(log);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);)
    all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += "\n    " + all[i];
  return out.empty() ? std::string("\n    (its log is empty)") : out;
}

/// 32 random bytes as 64 hex digits.
expected<std::string> random_token() {
  std::ifstream in("/dev/urandom", std::ios::binary);
  unsigned char bytes[32];
  if (!in.read(reinterpret_cast<char*>(bytes), sizeof bytes))
    return error{errc::io_error, "cannot read /dev/urandom for the introspection token"};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

bool node_ready(const nlohmann::json& node) {
  for (const auto& c : node.value("/status/conditions"_json_pointer, nlohmann::json::array()))
    if (c.value("type", "") == "Ready")
      return c.value("status", "") == "True";
  return false;
}

} // namespace

struct embedded_cluster::impl {
  embedded_cluster_options options;
  std::optional<podlet::cluster_network> network;
  std::unique_ptr<apiserver::embedded_server> server;
  component_set components;
  bool stopped = false;

  explicit impl(embedded_cluster_options o)
    : options(std::move(o)), components(options.data_dir / "logs") {
    components.restart_exited(options.restart_components);
  }

  void say(std::string_view line) const {
    if (options.progress)
      options.progress(line);
  }

  std::filesystem::path binary(std::string_view name) const { return options.bin_dir / std::string(name); }

  podlet::cluster_network_config network_config() const {
    podlet::cluster_network_config c;
    c.id = options.network_id;
    c.state_dir = options.data_dir / "network";
    c.nodes = options.nodes;
    c.cluster_cidr = options.cluster_cidr;
    return c;
  }

  std::vector<std::string> podlet_argv(const podlet::simulated_node& node) const {
    return {binary("podvisor-podlet").string(),
            "--kubeconfig", server->kubeconfig("podlet").string(),
            "--node-name", node.name,
            "--node-ip", node.node_ip,
            "--pod-cidr", node.pod_cidr,
            "--node-netns", node.netns_path.string(),
            "--node-bridge", node.bridge,
            "--gateway", node.gateway,
            "--state-dir", (options.data_dir / "nodes" / node.name).string(),
            "--cpu", options.node_cpu,
            "--memory", options.node_memory,
            "--max-pods", std::to_string(options.max_pods),
            "--kvm", options.kvm,
            "--log-level", options.log_level};
  }

  std::filesystem::path vmi_dir_root() const { return std::filesystem::absolute(options.data_dir / "run" / "vmis"); }

  /// The simulated nodes' shared QEMU capabilities cache: they all run on this host, so
  /// one copy serves every node's launchers.
  std::filesystem::path capabilities_cache() const {
    return std::filesystem::absolute(options.data_dir / "cache" / "qemu-capabilities");
  }

  std::filesystem::path image_dir() const {
    return std::filesystem::absolute(options.image_dir.empty() ? options.data_dir / "images" : options.image_dir);
  }

  std::filesystem::path introspection_token_file() const { return options.data_dir / "introspection.token"; }
  std::filesystem::path introspection_cert(const podlet::simulated_node& node) const {
    return options.data_dir / "nodes" / node.name / "introspection.crt";
  }
  std::filesystem::path introspection_key(const podlet::simulated_node& node) const {
    return options.data_dir / "nodes" / node.name / "introspection.key";
  }

  std::vector<std::string> agent_argv(const podlet::simulated_node& node) const {
    // Agents run in the host's network namespace: they listen on the host bridge's
    // address (which every node namespace and the host reach), on a port of their own.
    std::vector<std::string> argv{binary("podvisor-agent").string(),
            "--kubeconfig", server->kubeconfig("agent").string(),
            "--node-name", node.name,
            "--vmi-dir-root", vmi_dir_root().string(),
            "--introspection-listen", network->host_ip + ":0",
            "--introspection-advertise", network->host_ip,
            "--introspection-cert", std::filesystem::absolute(introspection_cert(node)).string(),
            "--introspection-key", std::filesystem::absolute(introspection_key(node)).string(),
            "--introspection-token-file", std::filesystem::absolute(introspection_token_file()).string(),
            "--log-level", options.log_level};
    // The agents fill the nodes' capabilities cache before the first VM needs it; a
    // stand-in launcher (options.launcher_binary) could not.
    if (options.launcher_binary.empty())
      argv.insert(argv.end(), {"--capabilities-cache", capabilities_cache().string(), "--launcher-binary",
                               binary("podvisor-launcher").string()});
    argv.insert(argv.end(), options.agent_flags.begin(), options.agent_flags.end());
    return argv;
  }

  /// The agents' introspection credentials: the token (kept across restarts of the
  /// cluster), the Secret kube-system/podvisor-introspection with it and the cluster CA,
  /// and per node a serving certificate for the host bridge address.
  error prepare_introspection() {
    namespace auth = apiserver;
    std::string token;
    if (auto existing = auth::read_small_file(introspection_token_file(), 4096); existing && existing->size() == 64) {
      token = *existing;
    } else {
      auto fresh = random_token();
      if (!fresh)
        return fresh.error();
      token = *fresh;
      if (auto e = auth::write_file_atomically(introspection_token_file(), token, auth::mode_private); e)
        return e;
    }
    auto ca_cert = auth::read_small_file(server->ca_file());
    if (!ca_cert)
      return ca_cert.error().with_context("the cluster CA");
    auto ca_key = auth::read_small_file(server->ca_file().parent_path() / "ca.key");
    if (!ca_key)
      return ca_key.error().with_context("the cluster CA key");
    auto secret = introspect::credentials_secret(token, *ca_cert);
    auto path = "/api/v1/namespaces/" + std::string(introspect::secret_namespace) + "/secrets";
    auto [status, body] = server->request("POST", path, secret.dump());
    if (status == 409) // from an earlier run: replace it
      std::tie(status, body) = server->request("PUT", path + "/" + std::string(introspect::secret_name), secret.dump());
    if (status != 200 && status != 201)
      return error{errc::internal, "Secret " + std::string(introspect::secret_name) + ": HTTP " + std::to_string(status) +
                                     ": " + body.substr(0, 300)};
    for (const auto& node : network->nodes) {
      auth::serving_cert_options o;
      o.common_name = "podvisor-agent-" + node.name;
      o.ip_addresses = {network->host_ip};
      auto issued = auth::issue_serving_certificate(*ca_cert, *ca_key, o);
      if (!issued)
        return issued.error().with_context("the serving certificate of " + node.name);
      if (auto e = auth::ensure_directory(introspection_key(node).parent_path(), auth::mode_private
                                            | std::filesystem::perms::owner_exec);
          e)
        return e;
      if (auto e = auth::write_file_atomically(introspection_key(node), issued->key_pem, auth::mode_private); e)
        return e;
      if (auto e = auth::write_file_atomically(introspection_cert(node), issued->cert_pem, auth::mode_public); e)
        return e;
    }
    return {};
  }

  /// Waits until every node reports Ready; fails early when a podlet exits.
  error wait_for_nodes(std::chrono::seconds timeout) {
    auto deadline = clock_type::now() + timeout;
    std::vector<bool> ready(network->nodes.size(), false);
    for (;;) {
      for (const auto& gone : components.newly_exited())
        return error{errc::unavailable, gone.name + " exited (" + gone.ended + "); the end of " +
                                            gone.log.string() + ":" + log_tail(gone.log)};
      bool all = true;
      for (std::size_t i = 0; i < network->nodes.size(); ++i) {
        if (ready[i])
          continue;
        auto [status, body] = server->request("GET", "/api/v1/nodes/" + network->nodes[i].name);
        if (status == 200 && node_ready(nlohmann::json::parse(body, nullptr, false))) {
          ready[i] = true;
          say(network->nodes[i].name + " Ready (" + network->nodes[i].node_ip + ", pods " +
              network->nodes[i].pod_cidr + ")");
        } else {
          all = false;
        }
      }
      if (all)
        return {};
      if (clock_type::now() > deadline) {
        std::string which;
        for (std::size_t i = 0; i < ready.size(); ++i)
          if (!ready[i])
            which += (which.empty() ? "" : ", ") + network->nodes[i].name;
        return error{errc::timeout, "nodes not Ready after " + std::to_string(timeout.count()) + " s: " + which +
                                        " (see " + (options.data_dir / "logs").string() + "/podlet-*.log)"};
      }
      std::this_thread::sleep_for(poll_interval);
    }
  }

  /// The names of every pod, as "namespace/name".
  std::vector<std::pair<std::string, std::string>> pods() {
    std::vector<std::pair<std::string, std::string>> out;
    auto [status, body] = server->request("GET", "/api/v1/pods");
    if (status != 200)
      return out;
    auto list = nlohmann::json::parse(body, nullptr, false);
    for (const auto& p : list.value("items", nlohmann::json::array()))
      out.emplace_back(p["metadata"].value("namespace", ""), p["metadata"].value("name", ""));
    return out;
  }

  /// After the podlets stopped: removes the sandboxes of pods that did not terminate in
  /// time (the podlets leave running pods alone when they stop, as kubelet does) and the
  /// private mount each podlet made of its state directory.
  void remove_node_leftovers() {
    for (const auto& node : network->nodes) {
      auto state_dir = options.data_dir / "nodes" / node.name;
      if (!std::filesystem::exists(state_dir))
        continue;
      podlet::sandbox_runtime_config rc;
      rc.node_name = node.name;
      rc.node_netns = node.netns_path.string();
      rc.node_bridge = node.bridge;
      rc.gateway = node.gateway;
      rc.pod_cidr = node.pod_cidr;
      rc.node_ip = node.node_ip;
      rc.state_dir = state_dir;
      rc.shim_path = binary("podvisor-shim").string();
      if (auto runtime = podlet::make_sandbox_runtime(rc); runtime) {
        for (const auto& uid : runtime.value()->list_pods()) {
          say(node.name + ": removing the sandbox of pod " + uid + " directly");
          if (auto e = runtime.value()->remove_pod(uid); e)
            say(node.name + ": pod " + uid + " not fully removed: " + e.message);
        }
      } else {
        say(node.name + ": cannot open its pod runtime: " + runtime.error().message);
      }
      if (auto e = podlet::unmount_tree(state_dir); e)
        say(node.name + ": " + e.message);
    }
  }

  void teardown(std::chrono::seconds pod_grace) {
    if (stopped)
      return;
    stopped = true;
    constexpr auto component_grace = std::chrono::seconds{10};
    // Nothing may recreate or reschedule what is being removed.
    components.stop("controller", component_grace);
    components.stop("scheduler", component_grace);
    if (server && network) {
      auto left = pods();
      if (!left.empty()) {
        say("deleting " + std::to_string(left.size()) + " pod(s); their containers get their grace periods");
        for (const auto& [ns, name] : left)
          server->request("DELETE", "/api/v1/namespaces/" + ns + "/pods/" + name);
        auto deadline = clock_type::now() + pod_grace + std::chrono::seconds{10};
        while (!(left = pods()).empty() && clock_type::now() < deadline)
          std::this_thread::sleep_for(poll_interval);
        if (!left.empty())
          say(std::to_string(left.size()) + " pod(s) still terminating after " +
              std::to_string(pod_grace.count()) + " s; stopping anyway");
      }
    }
    components.stop_all(component_grace);
    if (network)
      remove_node_leftovers();
    if (network) {
      if (auto e = podlet::remove_cluster_network(network->config); e)
        say("network: not fully removed: " + e.message);
      else
        say("network removed");
      network.reset();
    }
    if (server) {
      server->stop();
      say("API server stopped");
    }
  }
};

embedded_cluster::embedded_cluster(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

embedded_cluster::~embedded_cluster() { stop(); }

apiserver::embedded_server& embedded_cluster::server() { return *impl_->server; }

const std::vector<podlet::simulated_node>& embedded_cluster::nodes() const {
  static const std::vector<podlet::simulated_node> none;
  return impl_->network ? impl_->network->nodes : none;
}

component_set& embedded_cluster::components() { return impl_->components; }

void embedded_cluster::stop(std::chrono::seconds pod_grace) { impl_->teardown(pod_grace); }

expected<std::unique_ptr<embedded_cluster>> embedded_cluster::start(embedded_cluster_options options) {
  if (options.nodes > 0 && ::geteuid() != 0)
    return error{errc::forbidden, "simulated nodes need root (network namespaces, cgroups); run as root, "
                                  "or with --nodes 0 for the API server alone"};
  std::unique_ptr<embedded_cluster> cluster(new embedded_cluster(std::make_unique<impl>(std::move(options))));
  auto& c = *cluster->impl_;
  const auto& opt = c.options;

  if (opt.nodes > 0) {
    auto network = podlet::create_cluster_network(c.network_config());
    if (!network)
      return error{network.error().code, "the simulated network: " + network.error().message};
    c.network = std::move(network.value());
    c.say("network: bridge " + c.network->host_bridge + " " + c.network->host_ip + ", " +
          std::to_string(c.network->nodes.size()) + " node namespace(s)");
  }

  apiserver::embedded_server_options server_options;
  server_options.data_dir = opt.data_dir;
  server_options.host = !opt.listen_host.empty() ? opt.listen_host : c.network ? c.network->host_ip : "127.0.0.1";
  server_options.port = opt.port;
  server_options.components = {"controller", "scheduler", "agent", "podlet"};
  if (c.network)
    server_options.extra_ips = {c.network->host_ip};
  auto server = apiserver::embedded_server::start(server_options);
  if (!server) {
    c.teardown(std::chrono::seconds{0});
    return error{server.error().code, "the API server: " + server.error().message};
  }
  c.server = std::move(server.value());
  c.say("API server " + c.server->url());
  if (!c.network)
    return cluster;

  auto fail = [&](const error& e, const std::string& step) -> expected<std::unique_ptr<embedded_cluster>> {
    c.teardown(std::chrono::seconds{10});
    return error{e.code, step + ": " + e.message};
  };
  for (const auto& node : c.network->nodes)
    if (auto e = c.components.start({"podlet-" + node.name, c.podlet_argv(node)}); e)
      return fail(e, "starting " + node.name);
  if (auto e = c.wait_for_nodes(std::chrono::seconds{60}); e)
    return fail(e, "waiting for the nodes");

  if (opt.agents) {
    std::error_code ec;
    std::filesystem::create_directories(c.vmi_dir_root(), ec);
    if (ec)
      return fail(error{errc::io_error, c.vmi_dir_root().string() + ": " + ec.message()}, "starting the node agents");
    if (auto e = c.prepare_introspection(); e)
      return fail(e, "the node agents' introspection credentials");
    for (const auto& node : c.network->nodes)
      if (auto e = c.components.start({"agent-" + node.name, c.agent_argv(node)}); e)
        return fail(e, "starting the node agent of " + node.name);
    c.say("node agents started (VMI directories in " + c.vmi_dir_root().string() + "; introspection on " +
          c.network->host_ip + ", token in " + c.introspection_token_file().string() + ")");
  }

  if (auto e = c.components.start({"scheduler",
                                   {c.binary("podvisor-scheduler").string(), "--kubeconfig",
                                    c.server->kubeconfig("scheduler").string(), "--log-level", opt.log_level}});
      e)
    return fail(e, "starting the scheduler");
  // Launcher pods mount their private emptyDir here. Simulated nodes share the host's
  // root file system, where KubeVirt's /var/run/kubevirt-private does not exist; a
  // directory of the data dir does, and each pod's mount namespace gets its own mount.
  auto work_dir = std::filesystem::absolute(opt.data_dir / "launcher-work");
  std::error_code ec;
  std::filesystem::create_directories(work_dir, ec);
  if (ec)
    return fail(error{errc::io_error, work_dir.string() + ": " + ec.message()}, "starting the controller");
  std::vector<std::string> controller{c.binary("podvisor-controller").string(),
                                      "--launcher-work-dir", work_dir.string(),
                                      "--kubeconfig", c.server->kubeconfig("controller").string(),
                                      "--launcher-binary",
                                      opt.launcher_binary.empty() ? c.binary("podvisor-launcher").string()
                                                                  : opt.launcher_binary,
                                      "--kvm", opt.kvm,
                                      "--image-dir", c.image_dir().string(),
                                      "--capabilities-cache", c.capabilities_cache().string(),
                                      "--log-level", opt.log_level};
  if (opt.agents) {
    controller.insert(controller.end(), {"--agent-dir", c.vmi_dir_root().string()});
  } else {
    controller.push_back("--no-agent");
  }
  controller.insert(controller.end(), opt.controller_flags.begin(), opt.controller_flags.end());
  if (auto e = c.components.start({"controller", controller}); e)
    return fail(e, "starting the controller");
  c.say("scheduler and controller started (logs in " + (opt.data_dir / "logs").string() + ")");
  return cluster;
}

} // namespace podvisor::kube::cluster
