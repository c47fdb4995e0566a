// Benchmark of the API server's storage engine (kube/apiserver/store): write throughput
// for creates and status updates with 1, 10 and 100 watchers, write→watch delivery
// latency, memory per 1,000 stored VMIs beyond their JSON size, and startup time with
// 10,000 stored objects. Not a test: it prints figures and writes them as JSON
// (--out FILE, default store_bench.json next to the binary) for later plotting.
//
//   build/bench/bench_store [--quick] [--out FILE]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "kube/apiserver/store/store.hpp"
#include "common/temp_dir.hpp"

namespace {

using namespace podvisor::kube::apiserver;
using clock_type = std::chrono::steady_clock;

constexpr const char* vmis = "kubevirt.io/v1/virtualmachineinstances";

/// Scratch space for the benchmark's data directories, removed at the end.
using temp_dir = podvisor::scoped_temp_dir;

/// CPU time of the calling thread or of the whole process, in milliseconds. Wall-clock
/// figures on a shared machine mostly measure the neighbours; CPU time per write does not.
double cpu_ms(clockid_t which) {
  timespec ts{};
  clock_gettime(which, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
}

/// A VirtualMachineInstance as virt-controller and virt-handler leave it (about 2.5 KB).
std::string vmi_json(const std::string& name, int generation, const std::string& phase) {
  nlohmann::json j = {
    {"apiVersion", "kubevirt.io/v1"},
    {"kind", "VirtualMachineInstance"},
    {"metadata",
     {{"name", name},
      {"namespace", "default"},
      {"uid", "8d3f2a8e-5b7c-4e0f-9a51-" + std::to_string(100000000000 + generation)},
      {"generation", 1},
      {"creationTimestamp", "2025-01-01T00:00:00Z"},
      {"labels", {{"kubevirt.io/vm", name}, {"kubevirt.io/nodeName", "node01"}, {"app", "bench"}}},
      {"annotations", {{"kubevirt.io/latest-observed-api-version", "v1"}, {"kubevirt.io/storage-observed-api-version", "v1"}}},
      {"finalizers", {"kubevirt.io/virtualMachineControllerFinalize", "foregroundDeleteVirtualMachine"}},
      {"ownerReferences",
       {{{"apiVersion", "kubevirt.io/v1"}, {"kind", "VirtualMachine"}, {"name", name},
         {"uid", "0b6c1d0e-1111-2222-3333-444455556666"}, {"controller", true}, {"blockOwnerDeletion", true}}}}}},
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
         {"cloudInitNoCloud", {{"userData", "#cloud-config\npassword: fedora\nchpasswd: { expire: False }\n"}}}}}}}},
    {"status",
     {{"phase", phase},
      {"nodeName", "node01"},
      {"qosClass", "Burstable"},
      {"launcherContainerImageVersion", "quay.io/kubevirt/virt-launcher:v1.4.0"},
      {"guestOSInfo", {{"id", "cirros"}, {"name", "CirrOS"}, {"version", "0.6.2"}}},
      {"interfaces",
       {{{"name", "default"}, {"ipAddress", "10.244.0.17"}, {"ipAddresses", {"10.244.0.17", "fd10:244::11"}},
         {"mac", "52:54:00:12:34:56"}, {"infoSource", "domain, guest-agent"}, {"interfaceName", "eth0"},
         {"queueCount", 1}}}},
      {"conditions",
       {{{"type", "Ready"}, {"status", "True"}, {"lastProbeTime", nullptr},
         {"lastTransitionTime", "2025-01-01T00:00:0" + std::to_string(generation % 10) + "Z"}},
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
      {"observedGeneration", generation}}}};
  return j.dump();
}

double percentile(std::vector<double>& values, double p) {
  if (values.empty())
    return 0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_store: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<store> open_or_die(const std::filesystem::path& dir, durability mode = durability::process_crash) {
  auto s = store::open({.data_dir = dir, .sync = mode});
  if (!s)
    die("open: " + s.error().message);
  return std::move(s).value();
}

struct run_result {
  std::string name;
  int watchers = 0;
  int writer_threads = 1;
  std::string durability_mode;
  std::size_t writes = 0;
  double writes_per_s = 0;
  double write_p50_ms = 0, write_p99_ms = 0;
  double watch_p50_ms = 0, watch_p99_ms = 0;
  /// CPU time per write of the writer threads, and of the whole process (watchers too).
  double writer_cpu_us = 0, process_cpu_us = 0;
  std::size_t terminated = 0;
};

/// Creates `objects` VMIs, then updates their status round-robin `updates` times, with
/// `watchers` watchers draining events on their own threads. The latency of a write is
/// the time its call took; the delivery latency of an event is from the start of the
/// write call that produced it to the moment a watcher's next() returned it.
std::vector<run_result> run(int watchers, int writer_threads, int objects, int updates, durability mode) {
  temp_dir dir;
  auto s = open_or_die(dir.path(), mode);
  const std::size_t total = static_cast<std::size_t>(objects + updates);
  std::vector<std::atomic<std::int64_t>> sent(total + 16);
  const std::uint64_t base = s->current_rv();

  std::vector<std::shared_ptr<watch_stream>> streams;
  for (int i = 0; i < watchers; ++i) {
    auto w = s->watch({.resource = vmis, .from_rv = base});
    if (!w)
      die("watch: " + w.error().message);
    streams.push_back(std::move(w).value());
  }
  std::vector<std::vector<std::pair<std::uint64_t, double>>> seen(static_cast<std::size_t>(watchers));
  std::atomic<std::size_t> terminated{0};
  std::vector<std::thread> consumers;
  for (int i = 0; i < watchers; ++i)
    consumers.emplace_back([&, i] {
      auto& mine = seen[static_cast<std::size_t>(i)];
      mine.reserve(total);
      while (mine.size() < total) {
        auto next = streams[static_cast<std::size_t>(i)]->next(std::chrono::seconds(30));
        if (next.status != watch_status::event) {
          if (next.status == watch_status::terminated)
            ++terminated;
          return;
        }
        auto rv = next.event->rv;
        auto t0 = sent[rv - base].load(std::memory_order_acquire);
        mine.emplace_back(rv, static_cast<double>(now_ns() - t0) / 1e6);
      }
    });

  // Inputs are prepared up front so that only the store is timed.
  std::vector<std::string> creates, status_updates;
  for (int i = 0; i < objects; ++i)
    creates.push_back(vmi_json("vmi-" + std::to_string(i), 1, "Scheduled"));
  for (int i = 0; i < updates; ++i)
    status_updates.push_back(vmi_json("vmi-" + std::to_string(i % objects), i + 2, i % 2 ? "Running" : "Scheduled"));

  // With one writer the next RV is known before the call; with several, writers record
  // their start time into the slot the store will assign, guarded by the same order.
  std::mutex order;
  auto timed = [&](auto&& write) {
    std::unique_lock lock(order, std::defer_lock);
    if (writer_threads > 1)
      lock.lock();
    auto t0 = now_ns();
    sent[s->current_rv() + 1 - base].store(t0, std::memory_order_release);
    write();
    return static_cast<double>(now_ns() - t0) / 1e6;
  };

  std::vector<run_result> results;
  auto phase = [&](const std::string& name, int count, auto&& one) {
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(writer_threads));
    std::vector<double> writer_cpu(static_cast<std::size_t>(writer_threads));
    auto start = clock_type::now();
    auto process_cpu0 = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
    std::vector<std::thread> writers;
    for (int t = 0; t < writer_threads; ++t)
      writers.emplace_back([&, t] {
        auto cpu0 = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
        for (int i = t; i < count; i += writer_threads)
          latencies[static_cast<std::size_t>(t)].push_back(timed([&] { one(i); }));
        writer_cpu[static_cast<std::size_t>(t)] = cpu_ms(CLOCK_THREAD_CPUTIME_ID) - cpu0;
      });
    for (auto& w : writers)
      w.join();
    double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    double process_cpu = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - process_cpu0;
    std::vector<double> all;
    for (auto& l : latencies)
      all.insert(all.end(), l.begin(), l.end());
    run_result r;
    r.name = name;
    r.watchers = watchers;
    r.writer_threads = writer_threads;
    r.durability_mode = std::string(podvisor::kube::api::to_string(mode));
    r.writes = static_cast<std::size_t>(count);
    r.writes_per_s = count / seconds;
    r.write_p50_ms = percentile(all, 0.50);
    r.write_p99_ms = percentile(all, 0.99);
    double writers_total = 0;
    for (auto ms : writer_cpu)
      writers_total += ms;
    r.writer_cpu_us = writers_total * 1e3 / count;
    r.process_cpu_us = process_cpu * 1e3 / count;
    results.push_back(r);
  };
  phase("create", objects, [&](int i) {
    if (!s->create({vmis, "default", "vmi-" + std::to_string(i)}, creates[static_cast<std::size_t>(i)]))
      die("create failed");
  });
  phase("status update", updates, [&](int i) {
    auto r = s->update({vmis, "default", "vmi-" + std::to_string(i % objects)}, status_updates[static_cast<std::size_t>(i)]);
    if (!r || !r->changed)
      die("update failed");
  });
  for (auto& c : consumers)
    c.join();

  // Split delivery latencies by phase (creates hold the first `objects` RVs).
  std::vector<double> create_lat, update_lat;
  for (auto& mine : seen)
    for (auto [rv, ms] : mine)
      (rv - base <= static_cast<std::uint64_t>(objects) ? create_lat : update_lat).push_back(ms);
  results[0].watch_p50_ms = percentile(create_lat, 0.5);
  results[0].watch_p99_ms = percentile(create_lat, 0.99);
  results[1].watch_p50_ms = percentile(update_lat, 0.5);
  results[1].watch_p99_ms = percentile(update_lat, 0.99);
  results[0].terminated = results[1].terminated = terminated.load();
  return results;
}

struct memory_result {
  std::size_t objects = 0;
  double json_bytes_per_object = 0;
  double rss_per_1000_bytes = 0;
  double overhead_per_object_bytes = 0;
  double startup_ms = 0;
  double startup_cpu_ms = 0;
};

/// Stores `count` VMIs and measures the RSS growth; then reopens the store and times it.
memory_result memory_and_startup(int count) {
  temp_dir dir;
  memory_result m;
  m.objects = static_cast<std::size_t>(count);
  std::size_t json_bytes = 0;
  {
    auto s = open_or_die(dir.path());
    // Warm up SQLite's page cache and the allocator with a few writes outside the window.
    for (int i = 0; i < 50; ++i)
      (void)s->create({vmis, "default", "w" + std::to_string(i)}, vmi_json("w" + std::to_string(i), 1, "Running"));
    auto before = rss_bytes();
    for (int i = 0; i < count; ++i) {
      auto name = "vmi-" + std::to_string(i);
      auto created = s->create({vmis, "default", name}, vmi_json(name, 1, "Running"));
      if (!created)
        die("create failed: " + created.error().message);
      json_bytes += created->text().size();
    }
    auto after = rss_bytes();
    double delta = static_cast<double>(after - before);
    m.json_bytes_per_object = static_cast<double>(json_bytes) / count;
    m.rss_per_1000_bytes = delta / count * 1000;
    m.overhead_per_object_bytes = delta / count - m.json_bytes_per_object;
  }
  auto t0 = clock_type::now();
  auto cpu0 = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
  auto s = open_or_die(dir.path());
  m.startup_cpu_ms = cpu_ms(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  m.startup_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  if (s->size() != static_cast<std::size_t>(count) + 50)
    die("reopened store has " + std::to_string(s->size()) + " objects");
  return m;
}

} // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::filesystem::path out = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "store_bench.json";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick")
      quick = true;
    else if (arg == "--out" && i + 1 < argc)
      out = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--quick] [--out FILE]\n", argv[0]);
      return 2;
    }
  }
  const int objects = quick ? 300 : 2000;
  const int updates = quick ? 600 : 6000;

  std::printf("store benchmark: %d creates then %d status updates of ~%zu-byte VMIs per run, %u cores\n",
              objects, updates, vmi_json("vmi-0", 1, "Running").size(), std::thread::hardware_concurrency());
  std::printf("(latencies in ms; cpu: microseconds of CPU per write, of the writer threads and of the whole\n"
              " process; 1e6 / writer cpu bounds writes/s on an idle machine; cut: watchers terminated)\n");
  std::printf("%-14s %8s %7s %-13s %9s %8s %8s %9s %9s %8s %8s %4s\n", "phase", "watchers", "writers",
              "durability", "writes/s", "wr p50", "wr p99", "watch p50", "watch p99", "cpu wr", "cpu all", "cut");
  nlohmann::json report = {{"runs", nlohmann::json::array()}};
  struct config {
    int watchers, writers;
    durability mode;
  };
  const config configs[] = {{1, 1, durability::process_crash},   {10, 1, durability::process_crash},
                            {100, 1, durability::process_crash}, {10, 4, durability::process_crash},
                            {10, 1, durability::power_loss}};
  for (const auto& c : configs) {
    for (const auto& r : run(c.watchers, c.writers, objects, updates, c.mode)) {
      std::printf("%-14s %8d %7d %-13s %9.0f %8.3f %8.3f %9.3f %9.3f %8.1f %8.1f %4zu\n", r.name.c_str(),
                  r.watchers, r.writer_threads, r.durability_mode.c_str(), r.writes_per_s, r.write_p50_ms,
                  r.write_p99_ms, r.watch_p50_ms, r.watch_p99_ms, r.writer_cpu_us, r.process_cpu_us, r.terminated);
      report["runs"].push_back({{"phase", r.name}, {"watchers", r.watchers}, {"writer_threads", r.writer_threads},
                                {"durability", r.durability_mode}, {"writes", r.writes},
                                {"writes_per_s", r.writes_per_s}, {"write_p50_ms", r.write_p50_ms},
                                {"write_p99_ms", r.write_p99_ms}, {"watch_p50_ms", r.watch_p50_ms},
                                {"watch_p99_ms", r.watch_p99_ms}, {"writer_cpu_us_per_write", r.writer_cpu_us},
                                {"process_cpu_us_per_write", r.process_cpu_us}, {"watchers_terminated", r.terminated}});
      std::fflush(stdout);
    }
  }
  auto m = memory_and_startup(quick ? 2000 : 10000);
  std::printf("memory: %zu VMIs of %.0f bytes: RSS +%.0f KiB per 1,000 objects = %.0f bytes per object beyond its JSON\n",
              m.objects, m.json_bytes_per_object, m.rss_per_1000_bytes / 1024, m.overhead_per_object_bytes);
  std::printf("startup: %.1f ms (%.1f ms CPU) to open a store with %zu objects and a full history window\n",
              m.startup_ms, m.startup_cpu_ms, m.objects + 50);
  report["memory"] = {{"objects", m.objects}, {"json_bytes_per_object", m.json_bytes_per_object},
                      {"rss_per_1000_objects_bytes", m.rss_per_1000_bytes},
                      {"overhead_per_object_bytes", m.overhead_per_object_bytes}};
  report["startup"] = {{"objects", m.objects + 50}, {"ms", m.startup_ms}, {"cpu_ms", m.startup_cpu_ms}};
  std::ofstream(out) << report.dump(2) << "\n";
  std::printf("figures written to %s\n", out.c_str());
  return 0;
}
