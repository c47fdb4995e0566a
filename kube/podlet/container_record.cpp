#include "kube/podlet/container_record.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace podvisor::kube::podlet {

namespace {

using nlohmann::json;

const char* phase_name(container_record::phase p) {
  switch (p) {
  case container_record::phase::running:
    return "running";
  case container_record::phase::exited:
    return "exited";
  case container_record::phase::failed:
    return "failed";
  }
  return "failed";
}

template <class F>
auto decode_json(const std::string& text, const char* what, F&& fn) -> decltype(fn(json{})) {
  try {
    return fn(json::parse(text));
  } catch (const std::exception& e) {
    return error{errc::parse_error, std::string{what} + ": " + e.what()};
  }
}

} // namespace

std::string encode(const launch_spec& s) {
  return json{{"argv", s.argv},         {"env", s.env},       {"workingDir", s.working_dir},
              {"netns", s.netns},       {"mntns", s.mntns},   {"cgroupProcs", s.cgroup_procs},
              {"oomFile", s.oom_file},  {"log", s.log_path},  {"record", s.record_path}}
      .dump();
}

expected<launch_spec> decode_launch_spec(const std::string& text) {
  return decode_json(text, "launch spec", [](const json& j) -> expected<launch_spec> {
    launch_spec s;
    s.argv = j.at("argv").get<std::vector<std::string>>();
    s.env = j.at("env").get<std::vector<std::string>>();
    s.working_dir = j.at("workingDir").get<std::string>();
    s.netns = j.at("netns").get<std::string>();
    s.mntns = j.at("mntns").get<std::string>();
    s.cgroup_procs = j.at("cgroupProcs").get<std::vector<std::string>>();
    s.oom_file = j.at("oomFile").get<std::string>();
    s.log_path = j.at("log").get<std::string>();
    s.record_path = j.at("record").get<std::string>();
    if (s.argv.empty())
      return error{errc::invalid_argument, "launch spec: empty argv"};
    return s;
  });
}

std::string encode(const container_record& r) {
  json j{{"phase", phase_name(r.current)}, {"pid", r.pid},       {"shimPid", r.shim_pid},
         {"startedAt", r.started_at_ns},   {"finishedAt", r.finished_at_ns},
         {"oomKilled", r.oom_killed},      {"message", r.message}};
  if (r.exit_code)
    j["exitCode"] = *r.exit_code;
  if (r.signal)
    j["signal"] = *r.signal;
  return j.dump();
}

expected<container_record> decode_container_record(const std::string& text) {
  return decode_json(text, "container record", [](const json& j) -> expected<container_record> {
    container_record r;
    const auto phase = j.at("phase").get<std::string>();
    if (phase == "running")
      r.current = container_record::phase::running;
    else if (phase == "exited")
      r.current = container_record::phase::exited;
    else if (phase == "failed")
      r.current = container_record::phase::failed;
    else
      return error{errc::parse_error, "container record: unknown phase '" + phase + "'"};
    r.pid = j.at("pid").get<int>();
    r.shim_pid = j.at("shimPid").get<int>();
    r.started_at_ns = j.at("startedAt").get<std::int64_t>();
    r.finished_at_ns = j.at("finishedAt").get<std::int64_t>();
    r.oom_killed = j.at("oomKilled").get<bool>();
    r.message = j.value("message", "");
    if (j.contains("exitCode"))
      r.exit_code = j["exitCode"].get<int>();
    if (j.contains("signal"))
      r.signal = j["signal"].get<int>();
    return r;
  });
}

expected<std::string> read_text(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return error{errc::not_found, path + ": " + std::strerror(errno)};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

error write_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return error{errc::io_error, "open " + tmp + ": " + std::strerror(errno)};
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return error{errc::io_error, "write " + tmp + ": " + std::strerror(err)};
    }
    done += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return error{errc::io_error, "rename " + tmp + ": " + std::strerror(errno)};
  return {};
}

} // namespace podvisor::kube::podlet
