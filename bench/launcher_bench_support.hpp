#pragma once
// Helpers of the launcher benchmark (bench/launcher_bench.cpp): figures, following a log
// file, /proc readers (RSS by mapping, status fields, CPU affinity), the launcher's command
// channel, and running a command for its output.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace podvisor::bench_launcher {

namespace fs = std::filesystem;
using json = nlohmann::json;

/// Median, minimum and maximum of a series.
struct range {
  double median = 0, min = 0, max = 0;
  std::size_t n = 0;
};

range summarize(std::vector<double> v);
json to_json(const range& r);
/// The p-th percentile (0..100) by nearest rank, as bench/cluster's scripts compute it; 0 when empty.
double percentile(std::vector<double> v, double p);

/// A VMI without NICs booting the test guest by kernelBoot (namespace "test", domain
/// "test_<name>"), as the launcher and the virsh baseline run it.
std::string guest_vmi_json(const std::string& name, int memory_mib);
/// The number in a pid file; -1 when absent or unreadable.
long read_pid_file(const fs::path& p);

/// Follows a growing text file and finds the first complete line containing a needle.
class file_follower {
public:
  explicit file_follower(fs::path p) : path_(std::move(p)) {}
  /// Reads what was appended since the last call; true once a line with `needle` is seen.
  bool find(const std::string& needle, std::string* line = nullptr) {
    std::ifstream in(path_, std::ios::binary);
    if (!in)
      return false;
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    offset_ += chunk.size();
    pending_ += chunk;
    std::size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      std::string l = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (l.find(needle) != std::string::npos) {
        if (line)
          *line = l;
        return true;
      }
    }
    return false;
  }

private:
  fs::path path_;
  std::size_t offset_ = 0;
  std::string pending_;
};

std::string read_file(const fs::path& p);
/// The last `lines` lines of a file.
std::string tail(const fs::path& p, std::size_t lines = 12);
/// The number right after `prefix` in `line`.
std::optional<long> number_after(const std::string& line, const std::string& prefix);
/// A "Field:  N kB" value of /proc/PID/<file> (status, smaps_rollup) in KiB; -1 when absent.
long kib_field(pid_t pid, const std::string& file, const std::string& field);
/// Cpus_allowed_list of a process.
std::string cpus_allowed(pid_t pid);
/// Resident KiB by mapped file (smaps), largest first.
std::vector<std::pair<std::string, long>> rss_by_mapping(pid_t pid);
/// hello + status on the launcher's command channel; nothing (and *err) on failure.
std::optional<json> channel_status(const fs::path& socket_path, std::string* err);
/// Runs `argv` with its output to `out_file`; the output on success.
std::optional<std::string> run_capture(const std::vector<std::string>& argv, const fs::path& out_file,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(60));

} // namespace podvisor::bench_launcher
