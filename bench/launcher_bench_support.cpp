#include "bench/launcher_bench_support.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "common/process.hpp"

namespace podvisor::bench_launcher {

using namespace std::chrono_literals;

range summarize(std::vector<double> v) {
  range r;
  if (v.empty())
    return r;
  std::sort(v.begin(), v.end());
  r.n = v.size();
  r.min = v.front();
  r.max = v.back();
  r.median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  return r;
}

json to_json(const range& r) { return {{"median", r.median}, {"min", r.min}, {"max", r.max}, {"n", r.n}}; }

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::lround(p / 100 * static_cast<double>(v.size() - 1)));
  return v[std::min(rank, v.size() - 1)];
}

std::string guest_vmi_json(const std::string& name, int memory_mib) {
  json vmi = json::parse(
      R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"namespace":"test"},)"
      R"("spec":{"terminationGracePeriodSeconds":20,"domain":{"resources":{"requests":{}},)"
      R"("firmware":{"kernelBoot":{"kernelArgs":"console=ttyS0 panic=-1","container":{"image":"localhost/podvisor-guest:1",)"
      R"("kernelPath":"/boot/vmlinuz","initrdPath":"/boot/initrd.img"}}},"devices":{"autoattachPodInterface":false}}}})");
  vmi["metadata"]["name"] = name;
  vmi["spec"]["domain"]["resources"]["requests"]["memory"] = std::to_string(memory_mib) + "Mi";
  return vmi.dump();
}

long read_pid_file(const fs::path& p) {
  std::ifstream in(p);
  long pid = -1;
  in >> pid;
  return pid;
}


std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {(std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()};
}

std::string tail(const fs::path& p, std::size_t lines) {
  auto s = read_file(p);
  std::size_t pos = s.size(), found = 0;
  while (pos > 0 && found <= lines)
    if (s[--pos] == '\n')
      ++found;
  return s.substr(pos);
}

/// The number right after `prefix` in `line`, or nullopt.
std::optional<long> number_after(const std::string& line, const std::string& prefix) {
  auto p = line.find(prefix);
  if (p == std::string::npos)
    return std::nullopt;
  p += prefix.size();
  std::size_t end = p;
  while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end])))
    ++end;
  if (end == p)
    return std::nullopt;
  return std::stol(line.substr(p, end - p));
}

long kib_field(pid_t pid, const std::string& file, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::string line;
  long total = -1;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream ss(line.substr(field.size() + 1));
      long v = 0;
      ss >> v;
      total = total < 0 ? v : total + v;
    }
  return total;
}

std::string cpus_allowed(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Cpus_allowed_list:", 0) == 0) {
      auto v = line.substr(18);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  return "?";
}

/// Rss per mapping of a process (/proc/PID/smaps), grouped: shared objects by file name,
/// the executable, [heap], [stack], and anonymous mappings (thread stacks, malloc arenas).
std::vector<std::pair<std::string, long>> rss_by_mapping(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
  std::map<std::string, long> by;
  std::string line, current = "[anon]";
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    // A mapping header starts with "start-end perms ...": a hex digit, then '-'.
    auto dash = line.find('-');
    auto sp = line.find(' ');
    if (dash != std::string::npos && sp != std::string::npos && dash < sp && std::isxdigit(static_cast<unsigned char>(line[0]))) {
      std::istringstream ss(line);
      std::string range_s, perms, off, dev, inode, name;
      ss >> range_s >> perms >> off >> dev >> inode;
      std::getline(ss, name);
      name.erase(0, name.find_first_not_of(' '));
      if (name.empty())
        current = "[anon]";
      else if (name[0] == '/')
        current = fs::path(name).filename().string();
      else
        current = name;
      continue;
    }
    if (line.rfind("Rss:", 0) == 0) {
      std::istringstream ss(line.substr(4));
      long v = 0;
      ss >> v;
      by[current] += v;
    }
  }
  std::vector<std::pair<std::string, long>> out(by.begin(), by.end());
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second > b.second; });
  return out;
}

/// One request/answer pair on the launcher's command channel (JSON lines).
std::optional<json> channel_status(const fs::path& socket_path, std::string* err) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = "socket: " + std::string(std::strerror(errno));
    return std::nullopt;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *err = "connect " + socket_path.string() + ": " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string buf;
  auto request = [&](const std::string& line) -> std::optional<json> {
    std::string l = line + "\n";
    if (::send(fd, l.data(), l.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(l.size()))
      return std::nullopt;
    for (;;) {
      auto nl = buf.find('\n');
      if (nl != std::string::npos) {
        auto answer = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        auto j = json::parse(answer, nullptr, false);
        if (j.is_discarded())
          return std::nullopt;
        if (j.contains("event")) // a pushed event, not our answer
          continue;
        return j;
      }
      char tmp[4096];
      auto n = ::recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0)
        return std::nullopt;
      buf.append(tmp, static_cast<std::size_t>(n));
    }
  };
  std::optional<json> status;
  auto hello = request(R"({"op":"hello","versions":[1]})");
  if (!hello || !hello->value("ok", false))
    *err = "hello refused: " + (hello ? hello->dump() : std::string("no answer"));
  else if (!(status = request(R"({"op":"status"})")))
    *err = "no answer to status";
  ::close(fd);
  return status;
}

std::optional<std::string> run_capture(const std::vector<std::string>& argv, const fs::path& out_file,
                                       std::chrono::milliseconds timeout) {
  fs::remove(out_file);
  spawn_options so;
  so.output_path = out_file.string();
  auto child = child_process::spawn(argv, so);
  if (!child)
    return std::nullopt;
  auto st = child->wait_for(timeout);
  if (!st) {
    child->stop(2s);
    return std::nullopt;
  }
  if (!st->success())
    return std::nullopt;
  return read_file(out_file);
}

} // namespace podvisor::bench_launcher
