// Benchmark of the embedded API server over HTTPS (kube/apiserver/server): the real
// server (embedded_server::start, TLS, bearer token, cpp-httplib) in this process, driven
// by cpp-httplib SSLClients with keep-alive from several client threads, measuring
//   - creates/s and p50/p99 create latency,
//   - status updates/s (PUT .../virtualmachineinstances/NAME/status with the current
//     resourceVersion, as virt-handler's UpdateStatus does) and p50/p99 latency,
//   each with 1, 10 and 100 streaming watchers reading the chunked events, whose
//   fan-out latency (write sent → event read by a watcher, and write acknowledged →
//   event read) is reported as p50/p99 across all watchers;
//   - server memory per 1,000 stored VMIs (RSS growth while storing N realistic VMIs,
//     minus their JSON size);
//   - startup time with N stored objects (stop, then time embedded_server::start).
// Not a test: it prints a table and writes the figures as JSON (--out FILE, default
// apiserver_bench.json next to the binary). Client threads and the server share the
// machine's cores, so every rate includes the clients' own TLS and parsing cost; the CPU
// columns split it out.
//
//   build/bench/bench_apiserver [--quick] [--ops N] [--objects N] [--clients N]
//                               [--watchers 1,10,100] [--no-gzip] [--out FILE]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <pthread.h>
#include <time.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "kube/apiserver/auth/token_file.hpp"
#include "kube/apiserver/auth/user_info.hpp"
#include "kube/apiserver/server/embedded_server.hpp"
#include "common/temp_dir.hpp"

namespace {

using namespace podvisor::kube::apiserver;
using clock_type = std::chrono::steady_clock;

constexpr const char* vmi_collection = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances";

// The goals the figures are printed against.
constexpr double goal_updates_per_s_10_watchers = 2000;
constexpr double goal_watch_p99_ms = 10;
constexpr double goal_overhead_bytes_per_vmi = 4096;

/// What to run.
struct settings {
  int ops = 2000;        ///< creates, and then status updates, per watcher configuration
  int objects = 10'000;  ///< VMIs stored for the memory and startup figures
  int clients = 4;       ///< writer threads, one keep-alive connection each
  std::vector<int> watchers{1, 10, 100}; ///< watcher configurations to run
  bool quick = false;
  bool gzip = true;      ///< send Accept-Encoding: gzip like client-go
  std::filesystem::path out;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_apiserver: %s\n", what.c_str());
  std::exit(1);
}

/// Scratch space for the benchmark's data directories, removed at the end.
using temp_dir = podvisor::scoped_temp_dir;

/// Milliseconds on the monotonic clock: the one time base of writers and watchers.
double now_ms() {
  return std::chrono::duration<double, std::milli>(clock_type::now().time_since_epoch()).count();
}

double cpu_ms(clockid_t which) {
  timespec ts{};
  clock_gettime(which, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// CPU time of another thread of this process.
double thread_cpu_ms(std::thread& t) {
  clockid_t id{};
  if (pthread_getcpuclockid(t.native_handle(), &id) != 0)
    return 0;
  return cpu_ms(id);
}

/// Resident set size from /proc/self/status (VmRSS), in bytes.
std::size_t rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:"))
      return static_cast<std::size_t>(std::strtoull(line.c_str() + 6, nullptr, 10)) * 1024;
  return 0;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

/// The first metadata.resourceVersion in a serialized object (the server writes keys in
/// sorted order, so "metadata" precedes "spec"/"status" and nothing before it has one).
/// A string search instead of a JSON parse keeps the clients' share of the CPU small.
std::uint64_t rv_in(std::string_view text) {
  constexpr std::string_view key = R"("resourceVersion":")";
  auto at = text.find(key);
  if (at == std::string_view::npos)
    return 0;
  return std::strtoull(text.data() + at + key.size(), nullptr, 10);
}

// --- the VMIs --------------------------------------------------------------------------

/// A VirtualMachineInstance as virt-controller creates it (spec and metadata; the server
/// drops a status sent on create).
std::string vmi_create_body(const std::string& name) {
  nlohmann::json j = {
    {"apiVersion", "kubevirt.io/v1"},
    {"kind", "VirtualMachineInstance"},
    {"metadata",
     {{"name", name},
      {"namespace", "default"},
      {"labels", {{"kubevirt.io/vm", name}, {"kubevirt.io/nodeName", "node01"}, {"app", "bench"}}},
      {"annotations", {{"kubevirt.io/latest-observed-api-version", "v1"}, {"kubevirt.io/storage-observed-api-version", "v1"}}},
      {"finalizers", {"kubevirt.io/virtualMachineControllerFinalize", "foregroundDeleteVirtualMachine"}}}},
    {"spec",
     {{"domain",
       {{"cpu", {{"cores", 2}, {"sockets", 1}, {"threads", 1}, {"model", "host-model"}}},
        {"memory", {{"guest", "2Gi"}}},
        {"resources", {{"requests", {{"memory", "2Gi"}, {"cpu", "500m"}}}}},
        {"machine", {{"type", "q35"}}},
        {"firmware", {{"uuid", "5d307ca9-b3ef-428c-8861-06e72d69f223"}}},
        {"devices",
         {{"disks", {{{"name", "containerdisk"}, {"disk", {{"bus", "virtio"}}}},
                     {{"name", "cloudinitdisk"}, {"disk", {{"bus", "virtio"}}}}}},
          {"interfaces", {{{"name", "default"}, {"masquerade", nlohmann::json::object()}}}},
          {"rng", nlohmann::json::object()}}}}},
      {"networks", {{{"name", "default"}, {"pod", nlohmann::json::object()}}}},
      {"terminationGracePeriodSeconds", 0},
      {"volumes",
       {{{"name", "containerdisk"}, {"containerDisk", {{"image", "quay.io/kubevirt/cirros-container-disk-demo:latest"}}}},
        {{"name", "cloudinitdisk"},
         {"cloudInitNoCloud", {{"userData", "#cloud-config\npassword: fedora\nchpasswd: { expire: False }\n"}}}}}}}}};
  return j.dump();
}

/// The status virt-handler reports for a running guest; `generation` varies the
/// timestamps so that every update changes the object (a no-op update makes no event).
nlohmann::json vmi_status(int generation) {
  auto stamp = "2025-01-01T00:" + std::to_string(10 + generation / 60 % 50) + ":" + std::to_string(10 + generation % 50) + "Z";
  return {{"phase", generation % 2 ? "Running" : "Scheduled"},
          {"nodeName", "node01"},
          {"qosClass", "Burstable"},
          {"launcherContainerImageVersion", "quay.io/kubevirt/virt-launcher:v1.4.0"},
          {"guestOSInfo", {{"id", "cirros"}, {"name", "CirrOS"}, {"version", "0.6.2"}}},
          {"interfaces",
           {{{"name", "default"}, {"ipAddress", "10.244.0.17"}, {"ipAddresses", {"10.244.0.17", "fd10:244::11"}},
             {"mac", "52:54:00:12:34:56"}, {"infoSource", "domain, guest-agent"}, {"interfaceName", "eth0"},
             {"queueCount", 1}}}},
          {"conditions",
           {{{"type", "Ready"}, {"status", "True"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", stamp}},
            {{"type", "LiveMigratable"}, {"status", "True"}, {"lastProbeTime", nullptr},
             {"lastTransitionTime", "2025-01-01T00:00:00Z"}},
            {{"type", "AgentConnected"}, {"status", "True"}, {"lastProbeTime", nullptr},
             {"lastTransitionTime", "2025-01-01T00:00:00Z"}}}},
          {"activePods", {{"6b8f0e6c-aaaa-bbbb-cccc-" + std::to_string(100000000000 + generation), "node01"}}},
          {"migrationMethod", "BlockMigration"},
          {"migrationTransport", "Unix"},
          {"currentCPUTopology", {{"cores", 2}, {"sockets", 1}, {"threads", 1}}},
          {"memory", {{"guestAtBoot", "2Gi"}, {"guestCurrent", "2Gi"}, {"guestRequested", "2Gi"}}},
          {"volumeStatus",
           {{{"name", "cloudinitdisk"}, {"size", 1048576}, {"target", "vdb"}},
            {{"name", "containerdisk"}, {"target", "vda"}}}},
          {"observedGeneration", 1}};
}

/// The body of PUT .../NAME/status: the object as the client last read it (here: the
/// create response) with a new status, and its resourceVersion as the precondition.
/// Built as two halves around the RV, so that each update costs one concatenation.
struct status_body {
  std::string before_rv, after_rv;
  std::string with_rv(std::uint64_t rv) const { return before_rv + std::to_string(rv) + after_rv; }
};

status_body make_status_body(const std::string& stored_text, int generation) {
  auto object = nlohmann::json::parse(stored_text);
  object["status"] = vmi_status(generation);
  object["metadata"]["resourceVersion"] = "@RV@";
  auto text = object.dump();
  auto at = text.find("@RV@");
  return {text.substr(0, at), text.substr(at + 4)};
}

// --- clients ---------------------------------------------------------------------------

/// How to reach the server: its CA (DIR/pki/ca.crt) and podvisor-admin's bearer token
/// from DIR/tokens.csv.
struct endpoint {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string ca_file;
  std::string token;
  bool gzip = true;
};

endpoint endpoint_of(const embedded_server& server, const std::filesystem::path& dir, bool gzip) {
  endpoint e;
  e.port = server.port();
  e.ca_file = server.ca_file().string();
  e.gzip = gzip;
  std::ifstream in(dir / "tokens.csv");
  std::stringstream text;
  text << in.rdbuf();
  auto tokens = parse_token_file(text.str());
  if (!tokens)
    die("reading " + (dir / "tokens.csv").string() + ": " + podvisor::to_string(tokens.error()));
  for (const auto& t : *tokens)
    if (t.user.name == user_admin)
      e.token = t.token;
  if (e.token.empty())
    die("no podvisor-admin token in " + (dir / "tokens.csv").string());
  return e;
}

std::unique_ptr<httplib::SSLClient> make_client(const endpoint& e, std::chrono::seconds read_timeout) {
  auto c = std::make_unique<httplib::SSLClient>(e.host, e.port);
  c->set_ca_cert_path(e.ca_file);
  c->enable_server_certificate_verification(true);
  c->set_bearer_token_auth(e.token);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);
  c->set_read_timeout(read_timeout);
  // client-go's transport asks for gzip; cpp-httplib would otherwise offer brotli too.
  c->set_default_headers({{"Accept-Encoding", e.gzip ? "gzip" : "identity"}});
  return c;
}

/// One request with its round-trip time; dies on a transport error or an unexpected status.
struct timed_response {
  std::string body;
  double sent_ms = 0, acked_ms = 0;
};

timed_response must(httplib::Result result, int expected_status, double sent_ms, const char* what) {
  double acked = now_ms();
  if (!result)
    die(std::string(what) + ": " + httplib::to_string(result.error()));
  if (result->status != expected_status)
    die(std::string(what) + ": HTTP " + std::to_string(result->status) + " " + result->body.substr(0, 300));
  return {std::move(result->body), sent_ms, acked};
}

/// Prints "label: done/total" to stderr every two seconds while a long phase runs.
class progress {
public:
  progress(std::string label, std::size_t total, const std::atomic<std::size_t>& done)
    : label_(std::move(label)), total_(total), done_(done), thread_([this] { loop(); }) {}
  ~progress() {
    {
      std::lock_guard lock{mu_};
      finished_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

private:
  void loop() {
    std::unique_lock lock{mu_};
    while (!cv_.wait_for(lock, std::chrono::seconds(2), [this] { return finished_; }))
      std::fprintf(stderr, "  ... %s: %zu/%zu\n", label_.c_str(), done_.load(), total_);
  }
  std::string label_;
  std::size_t total_;
  const std::atomic<std::size_t>& done_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool finished_ = false;
  std::thread thread_;
};

/// Runs `count` operations on `clients` threads, operation i on thread i % clients.
/// Returns the operations' latencies (ms) and adds the threads' CPU time to `cpu`.
template <class Op>
std::vector<double> run_writers(int clients, int count, const std::string& label, double& cpu, Op&& op) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::vector<double> thread_cpu(static_cast<std::size_t>(clients));
  std::atomic<std::size_t> done{0};
  {
    progress meter(label, static_cast<std::size_t>(count), done);
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t)
      threads.emplace_back([&, t] {
        auto cpu0 = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
        auto& mine = latencies[static_cast<std::size_t>(t)];
        for (int i = t; i < count; i += clients) {
          mine.push_back(op(t, i));
          done.fetch_add(1, std::memory_order_relaxed);
        }
        thread_cpu[static_cast<std::size_t>(t)] = cpu_ms(CLOCK_THREAD_CPUTIME_ID) - cpu0;
      });
    for (auto& t : threads)
      t.join();
  }
  std::vector<double> all;
  for (auto& l : latencies)
    all.insert(all.end(), l.begin(), l.end());
  for (auto c : thread_cpu)
    cpu += c;
  return all;
}

// --- watchers --------------------------------------------------------------------------

/// One streaming watch connection on a thread of its own: reads the chunked stream, cuts
/// it into lines and records (resourceVersion, time read) for every event.
struct watcher {
  std::unique_ptr<httplib::SSLClient> client;
  std::thread thread;
  std::vector<std::pair<std::uint64_t, double>> seen;
  std::atomic<std::size_t> count{0};
  std::atomic<bool> established{false};
  std::atomic<bool> failed{false};
  bool cut = false; ///< the server ended the watch with an ERROR event (it fell behind)
};

class watcher_pool {
public:
  watcher_pool(const endpoint& e, int n, std::uint64_t from_rv, std::size_t expected_events) {
    auto path = std::string(vmi_collection) + "?watch=true&resourceVersion=" + std::to_string(from_rv);
    for (int i = 0; i < n; ++i) {
      auto w = std::make_unique<watcher>();
      w->client = make_client(e, std::chrono::seconds(600));
      // A watch is one long request; a kept-alive connection after it would hold the
      // server's stop() for its keep-alive timeout.
      w->client->set_keep_alive(false);
      w->seen.reserve(expected_events + 16);
      watchers_.push_back(std::move(w));
    }
    for (auto& wp : watchers_) {
      auto* w = wp.get();
      w->thread = std::thread([w, path] {
        std::string buffer;
        auto result = w->client->Get(
          path, httplib::Headers{},
          [w](const httplib::Response& res) {
            // Headers arrive once the server has registered the watch with the store.
            if (res.status != 200)
              w->failed = true;
            w->established = true;
            return res.status == 200;
          },
          [w, &buffer](const char* data, std::size_t size) {
            double t = now_ms();
            buffer.append(data, size);
            std::size_t start = 0;
            for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n', start)) {
              std::string_view line(buffer.data() + start, nl - start);
              start = nl + 1;
              if (line.starts_with(R"({"type":"ERROR")")) {
                w->cut = true;
                continue;
              }
              if (line.starts_with(R"({"type":"BOOKMARK")"))
                continue;
              w->seen.emplace_back(rv_in(line), t);
              w->count.fetch_add(1, std::memory_order_release);
            }
            buffer.erase(0, start);
            return true;
          });
        if (!result && !w->established)
          w->failed = true;
        w->established = true;
      });
    }
    auto deadline = clock_type::now() + std::chrono::seconds(60);
    for (auto& w : watchers_) {
      while (!w->established && clock_type::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      if (!w->established || w->failed)
        die("a watch could not be established");
    }
  }

  /// Waits until every watcher has read `events` events, or `timeout` passed.
  void wait_for(std::size_t events, std::chrono::seconds timeout) {
    auto deadline = clock_type::now() + timeout;
    for (auto& w : watchers_)
      while (w->count.load(std::memory_order_acquire) < events && !w->cut && clock_type::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }

  /// CPU time the watcher threads have used so far.
  double cpu_ms_total() {
    double total = 0;
    for (auto& w : watchers_)
      if (w->thread.joinable())
        total += thread_cpu_ms(w->thread);
    return total;
  }

  /// Joins the threads; call after the server stopped (which ends every stream).
  void join() {
    for (auto& w : watchers_)
      if (w->thread.joinable())
        w->thread.join();
  }

  std::vector<std::unique_ptr<watcher>>& watchers() { return watchers_; }

private:
  std::vector<std::unique_ptr<watcher>> watchers_;
};

// --- the runs --------------------------------------------------------------------------

struct run_result {
  std::string phase;
  int watchers = 0;
  int clients = 0;
  int ops = 0;
  double ops_per_s = 0;
  double p50_ms = 0, p99_ms = 0;
  double watch_send_p50_ms = 0, watch_send_p99_ms = 0; ///< write sent → event read
  double watch_ack_p50_ms = 0, watch_ack_p99_ms = 0;   ///< write acknowledged → event read (≥ 0)
  std::size_t deliveries = 0, expected_deliveries = 0;
  std::size_t cut = 0;
  double process_cpu_us = 0, client_cpu_us = 0; ///< CPU per operation: whole process, client threads
};

std::unique_ptr<embedded_server> start_server(const std::filesystem::path& dir) {
  embedded_server_options o;
  o.data_dir = dir;
  o.port = 0;
  auto s = embedded_server::start(o);
  if (!s)
    die("starting the server in " + dir.string() + ": " + podvisor::to_string(s.error()));
  return std::move(s).value();
}

/// One watcher configuration on a fresh server: `ops` creates, then `ops` status updates
/// (each VMI once), with `watcher_count` watches open from before the first create.
std::vector<run_result> run(const settings& cfg, const std::filesystem::path& root, int watcher_count) {
  auto dir = root / ("run-" + std::to_string(watcher_count));
  auto server = start_server(dir);
  auto e = endpoint_of(*server, dir, cfg.gzip);
  const int clients = cfg.clients;
  const int ops = cfg.ops;

  std::vector<std::unique_ptr<httplib::SSLClient>> conns;
  for (int t = 0; t < clients; ++t)
    conns.push_back(make_client(e, std::chrono::seconds(60)));
  // The RV the watches start after, from a list (what an informer does before watching).
  auto listed = must(conns[0]->Get(vmi_collection), 200, now_ms(), "list");
  const std::uint64_t base = std::stoull(nlohmann::json::parse(listed.body)["metadata"]["resourceVersion"].get<std::string>());

  // Every write's times, by RV. Only this benchmark writes, so the 2·ops writes take the
  // RVs right after `base` (anything else lands outside and is ignored).
  struct write_times {
    double sent = 0, acked = 0;
    bool is_update = false;
  };
  std::vector<write_times> by_rv(static_cast<std::size_t>(2 * ops) + 64);
  auto record = [&](std::uint64_t rv, const timed_response& r, bool update) {
    if (rv > base && rv - base < by_rv.size())
      by_rv[rv - base] = {r.sent_ms, r.acked_ms, update};
  };

  std::unique_ptr<watcher_pool> pool;
  if (watcher_count > 0)
    pool = std::make_unique<watcher_pool>(e, watcher_count, base, static_cast<std::size_t>(2 * ops));

  std::vector<std::string> names;
  std::vector<std::string> creates;
  for (int i = 0; i < ops; ++i) {
    names.push_back("vmi-" + std::to_string(i));
    creates.push_back(vmi_create_body(names.back()));
  }
  std::vector<status_body> updates(static_cast<std::size_t>(ops));
  std::vector<std::uint64_t> rv_of(static_cast<std::size_t>(ops));
  std::vector<std::string> stored(static_cast<std::size_t>(ops));

  std::vector<run_result> results;
  auto measure = [&](const std::string& phase, auto&& op) {
    double client_cpu = 0;
    double watchers_cpu0 = pool ? pool->cpu_ms_total() : 0;
    double process_cpu0 = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
    auto start = clock_type::now();
    auto latencies = run_writers(clients, ops, phase + " (" + std::to_string(watcher_count) + " watchers)", client_cpu, op);
    double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    double process_cpu = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - process_cpu0;
    if (pool)
      client_cpu += pool->cpu_ms_total() - watchers_cpu0;
    run_result r;
    r.phase = phase;
    r.watchers = watcher_count;
    r.clients = clients;
    r.ops = ops;
    r.ops_per_s = ops / seconds;
    r.p50_ms = percentile(latencies, 0.50);
    r.p99_ms = percentile(latencies, 0.99);
    r.process_cpu_us = process_cpu * 1e3 / ops;
    r.client_cpu_us = client_cpu * 1e3 / ops;
    results.push_back(r);
  };

  measure("create", [&](int t, int i) {
    auto& c = *conns[static_cast<std::size_t>(t)];
    double sent = now_ms();
    auto r = must(c.Post(vmi_collection, creates[static_cast<std::size_t>(i)], "application/json"), 201, sent, "create");
    auto rv = rv_in(r.body);
    record(rv, r, false);
    rv_of[static_cast<std::size_t>(i)] = rv;
    stored[static_cast<std::size_t>(i)] = std::move(r.body);
    return r.acked_ms - r.sent_ms;
  });
  // The status bodies derive from what the server stored; built between the phases so
  // that neither phase's rate includes them.
  for (int i = 0; i < ops; ++i)
    updates[static_cast<std::size_t>(i)] = make_status_body(stored[static_cast<std::size_t>(i)], i);
  measure("status update", [&](int t, int i) {
    auto& c = *conns[static_cast<std::size_t>(t)];
    auto path = std::string(vmi_collection) + "/" + names[static_cast<std::size_t>(i)] + "/status";
    auto body = updates[static_cast<std::size_t>(i)].with_rv(rv_of[static_cast<std::size_t>(i)]);
    double sent = now_ms();
    auto r = must(c.Put(path, body, "application/json"), 200, sent, "status update");
    record(rv_in(r.body), r, true);
    return r.acked_ms - r.sent_ms;
  });

  // Idle keep-alive connections would hold the server's stop for their keep-alive timeout.
  conns.clear();
  if (pool) {
    pool->wait_for(static_cast<std::size_t>(2 * ops), std::chrono::seconds(60));
    server->stop(); // ends the streams
    pool->join();
    for (std::size_t phase = 0; phase < 2; ++phase) {
      std::vector<double> from_send, from_ack;
      auto& r = results[phase];
      for (auto& w : pool->watchers()) {
        r.cut += w->cut ? 1 : 0;
        for (auto [rv, t] : w->seen) {
          if (rv <= base || rv - base >= by_rv.size())
            continue;
          const auto& times = by_rv[rv - base];
          if (times.sent == 0 || times.is_update != (phase == 1))
            continue;
          from_send.push_back(t - times.sent);
          from_ack.push_back(std::max(0.0, t - times.acked));
        }
      }
      r.deliveries = from_send.size();
      r.expected_deliveries = static_cast<std::size_t>(ops) * static_cast<std::size_t>(watcher_count);
      r.watch_send_p50_ms = percentile(from_send, 0.50);
      r.watch_send_p99_ms = percentile(from_send, 0.99);
      r.watch_ack_p50_ms = percentile(from_ack, 0.50);
      r.watch_ack_p99_ms = percentile(from_ack, 0.99);
    }
  }
  server.reset();
  return results;
}

struct memory_result {
  int objects = 0;
  double json_bytes_per_object = 0;
  double rss_delta_bytes = 0;
  double rss_per_1000_bytes = 0;
  double overhead_per_object_bytes = 0;
  double startup_ms = 0;
  double startup_cpu_ms = 0;
  double first_request_ms = 0; ///< after start: TLS handshake and a GET of one stored VMI
};

/// Stores `objects` VMIs (create, then their status, as a running VMI looks) and measures
/// the growth of the process's RSS; then stops the server and times a restart.
memory_result memory_and_startup(const settings& cfg, const std::filesystem::path& root) {
  auto dir = root / "memory";
  memory_result m;
  m.objects = cfg.objects;
  auto server = start_server(dir);
  auto e = endpoint_of(*server, dir, cfg.gzip);
  std::vector<std::unique_ptr<httplib::SSLClient>> conns;
  for (int t = 0; t < cfg.clients; ++t)
    conns.push_back(make_client(e, std::chrono::seconds(60)));

  std::atomic<std::size_t> json_bytes{0};
  auto store_vmis = [&](const std::string& prefix, int count, const std::string& label) {
    double cpu = 0;
    run_writers(cfg.clients, count, label, cpu, [&](int t, int i) {
      auto& c = *conns[static_cast<std::size_t>(t)];
      auto name = prefix + std::to_string(i);
      double sent = now_ms();
      auto created = must(c.Post(vmi_collection, vmi_create_body(name), "application/json"), 201, sent, "create");
      auto body = make_status_body(created.body, i).with_rv(rv_in(created.body));
      auto updated = must(c.Put(std::string(vmi_collection) + "/" + name + "/status", body, "application/json"), 200,
                          now_ms(), "status update");
      json_bytes.fetch_add(updated.body.size(), std::memory_order_relaxed);
      return updated.acked_ms - sent;
    });
  };
  // Warm up the allocator arenas of the serving threads, TLS sessions and SQLite's page
  // cache outside the measured window.
  store_vmis("warm-", 20 * cfg.clients, "warm-up");
  json_bytes = 0;
  auto before = rss_bytes();
  store_vmis("vmi-", cfg.objects, "storing VMIs");
  auto after = rss_bytes();
  m.json_bytes_per_object = static_cast<double>(json_bytes.load()) / cfg.objects;
  m.rss_delta_bytes = static_cast<double>(after) - static_cast<double>(before);
  m.rss_per_1000_bytes = m.rss_delta_bytes / cfg.objects * 1000;
  m.overhead_per_object_bytes = m.rss_delta_bytes / cfg.objects - m.json_bytes_per_object;

  conns.clear();
  server.reset();
  std::fprintf(stderr, "  ... restarting with %d stored VMIs\n", cfg.objects + 20 * cfg.clients);
  auto cpu0 = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
  auto t0 = clock_type::now();
  server = start_server(dir);
  m.startup_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  m.startup_cpu_ms = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  auto client = make_client(endpoint_of(*server, dir, cfg.gzip), std::chrono::seconds(60));
  auto last = std::string(vmi_collection) + "/vmi-" + std::to_string(cfg.objects - 1);
  double sent = now_ms();
  auto got = must(client->Get(last), 200, sent, "GET after restart");
  m.first_request_ms = got.acked_ms - sent;
  client.reset();
  server.reset();
  return m;
}

settings parse_args(int argc, char** argv) {
  settings s;
  s.out = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "apiserver_bench.json";
  bool ops_given = false, objects_given = false;
  auto number = [&](int& i) {
    if (i + 1 >= argc)
      die(std::string("missing value after ") + argv[i]);
    auto v = std::atoi(argv[++i]);
    if (v <= 0)
      die(std::string("expected a positive number after ") + argv[i - 1]);
    return v;
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      s.quick = true;
    } else if (arg == "--ops") {
      s.ops = number(i);
      ops_given = true;
    } else if (arg == "--objects") {
      s.objects = number(i);
      objects_given = true;
    } else if (arg == "--clients") {
      s.clients = number(i);
    } else if (arg == "--watchers" && i + 1 < argc) {
      s.watchers.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) {
        auto n = std::atoi(item.c_str());
        if (n < 0 || (n == 0 && item != "0"))
          die("--watchers takes a comma-separated list of counts, e.g. 1,10,100");
        s.watchers.push_back(n);
      }
    } else if (arg == "--no-gzip") {
      s.gzip = false;
    } else if (arg == "--out" && i + 1 < argc) {
      s.out = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--quick] [--ops N] [--objects N] [--clients N] [--watchers LIST] [--no-gzip]\n"
                   "          [--out FILE]\n"
                   "  --ops N      creates, then status updates, per watcher configuration (default 2000; quick 150)\n"
                   "  --objects N  VMIs stored for the memory and startup figures (default 10000; quick 500)\n"
                   "  --clients N  writer threads with one keep-alive HTTPS connection each (default 4)\n"
                   "  --watchers L watcher counts to run, comma-separated (default 1,10,100)\n"
                   "  --no-gzip    do not send Accept-Encoding: gzip (client-go does)\n",
                   argv[0]);
      std::exit(2);
    }
  }
  if (s.quick) {
    if (!ops_given)
      s.ops = 150;
    if (!objects_given)
      s.objects = 500;
  }
  return s;
}

const char* verdict(bool ok) {
  return ok ? "ok" : "MISSED";
}

} // namespace

int main(int argc, char** argv) {
  auto cfg = parse_args(argc, argv);
  temp_dir root;
  auto sample = vmi_create_body("vmi-0");

  std::printf("API server benchmark over HTTPS: %d creates then %d status updates per run, %d client threads\n"
              "with keep-alive (Accept-Encoding: %s), VMIs of ~%zu bytes as created; %u cores shared by\n"
              "the server, the writers and the watchers, so client cost is included in every rate.\n",
              cfg.ops, cfg.ops, cfg.clients, cfg.gzip ? "gzip" : "identity", sample.size(),
              std::thread::hardware_concurrency());
  std::printf("(latencies in ms; watch: write sent → event read by a watcher, p50/p99 over all watchers;\n"
              " after ack: from the write's response instead, 0 when the event came first;\n"
              " cpu: microseconds of CPU per operation, whole process and client threads (writers +\n"
              " watchers) — the difference is the server's; got: events read / expected; cut: watches\n"
              " the server ended because they fell behind)\n\n");
  std::printf("%-13s %5s %7s %7s %7s %7s %7s %7s %7s %13s %8s %8s %4s  %s\n", "phase", "watch", "ops/s", "p50",
              "p99", "watch50", "watch99", "ack50", "ack99", "got", "cpu all", "cpu cli", "cut", "goal");
  std::fflush(stdout);

  nlohmann::json report = {{"settings",
                            {{"ops", cfg.ops},
                             {"objects", cfg.objects},
                             {"clients", cfg.clients},
                             {"watcher_configurations", cfg.watchers},
                             {"quick", cfg.quick},
                             {"accept_encoding", cfg.gzip ? "gzip" : "identity"},
                             {"cores", std::thread::hardware_concurrency()},
                             {"vmi_create_bytes", sample.size()}}},
                           {"runs", nlohmann::json::array()},
                           {"goals", nlohmann::json::array()}};
  bool all_goals = true;
  auto goal = [&](const std::string& what, double value, double target, bool ok) {
    report["goals"].push_back({{"goal", what}, {"value", value}, {"target", target}, {"met", ok}});
    all_goals = all_goals && ok;
  };

  for (int watchers : cfg.watchers) {
    for (const auto& r : run(cfg, root.path(), watchers)) {
      std::string goal_text;
      if (r.watchers > 0) {
        // Every event must arrive, and in time.
        bool watch_ok = r.watch_send_p99_ms <= goal_watch_p99_ms && r.cut == 0 && r.deliveries == r.expected_deliveries;
        goal_text = std::string("watch p99≤10ms: ") + verdict(watch_ok);
        goal(r.phase + " with " + std::to_string(r.watchers) + (r.watchers == 1 ? " watcher" : " watchers")
               + ": p99 watch delivery (ms)",
             r.watch_send_p99_ms, goal_watch_p99_ms, watch_ok);
      }
      if (r.phase == "status update" && r.watchers == 10) {
        bool ok = r.ops_per_s >= goal_updates_per_s_10_watchers;
        goal_text += std::string(", ≥2000/s: ") + verdict(ok);
        goal("status updates/s with 10 watchers", r.ops_per_s, goal_updates_per_s_10_watchers, ok);
      }
      auto got = std::to_string(r.deliveries) + "/" + std::to_string(r.expected_deliveries);
      std::printf("%-13s %5d %7.0f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %13s %8.0f %8.0f %4zu  %s\n", r.phase.c_str(),
                  r.watchers, r.ops_per_s, r.p50_ms, r.p99_ms, r.watch_send_p50_ms, r.watch_send_p99_ms,
                  r.watch_ack_p50_ms, r.watch_ack_p99_ms, got.c_str(), r.process_cpu_us, r.client_cpu_us, r.cut,
                  goal_text.c_str());
      std::fflush(stdout);
      report["runs"].push_back({{"phase", r.phase},
                                {"watchers", r.watchers},
                                {"clients", r.clients},
                                {"ops", r.ops},
                                {"ops_per_s", r.ops_per_s},
                                {"p50_ms", r.p50_ms},
                                {"p99_ms", r.p99_ms},
                                {"watch_from_send_p50_ms", r.watch_send_p50_ms},
                                {"watch_from_send_p99_ms", r.watch_send_p99_ms},
                                {"watch_from_ack_p50_ms", r.watch_ack_p50_ms},
                                {"watch_from_ack_p99_ms", r.watch_ack_p99_ms},
                                {"deliveries", r.deliveries},
                                {"expected_deliveries", r.expected_deliveries},
                                {"watchers_cut", r.cut},
                                {"process_cpu_us_per_op", r.process_cpu_us},
                                {"client_cpu_us_per_op", r.client_cpu_us}});
    }
  }

  auto m = memory_and_startup(cfg, root.path());
  bool memory_ok = m.overhead_per_object_bytes <= goal_overhead_bytes_per_vmi;
  goal("server memory per stored VMI beyond its JSON (bytes)", m.overhead_per_object_bytes, goal_overhead_bytes_per_vmi,
       memory_ok);
  std::printf("\nmemory:  %d VMIs of %.0f bytes stored: RSS +%.0f KiB per 1,000 VMIs = %.0f bytes per VMI beyond its "
              "JSON  (goal ≤ 4096: %s)\n",
              m.objects, m.json_bytes_per_object, m.rss_per_1000_bytes / 1024, m.overhead_per_object_bytes,
              verdict(memory_ok));
  std::printf("startup: %.0f ms (%.0f ms CPU) for embedded_server::start with %d stored VMIs; first GET after it: "
              "%.1f ms\n",
              m.startup_ms, m.startup_cpu_ms, m.objects + 20 * cfg.clients, m.first_request_ms);
  report["memory"] = {{"objects", m.objects},
                      {"json_bytes_per_object", m.json_bytes_per_object},
                      {"rss_delta_bytes", m.rss_delta_bytes},
                      {"rss_per_1000_objects_bytes", m.rss_per_1000_bytes},
                      {"overhead_per_object_bytes", m.overhead_per_object_bytes}};
  report["startup"] = {{"objects", m.objects + 20 * cfg.clients},
                       {"ms", m.startup_ms},
                       {"cpu_ms", m.startup_cpu_ms},
                       {"first_request_ms", m.first_request_ms}};
  report["all_goals_met"] = all_goals;

  std::ofstream out(cfg.out);
  out << report.dump(2) << "\n";
  if (!out)
    die("cannot write " + cfg.out.string());
  std::printf("figures written to %s\n", cfg.out.c_str());
  return 0;
}
