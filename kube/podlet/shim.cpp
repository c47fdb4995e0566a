#include "kube/podlet/shim.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kube/podlet/cgroup.hpp"
#include "kube/podlet/container_record.hpp"

namespace podvisor::kube::podlet {

namespace {

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::uint64_t oom_kills(const std::string& file) {
  if (file.empty())
    return 0;
  auto t = read_text(file);
  return t ? parse_oom_kills(*t) : 0;
}

void write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    done += static_cast<std::size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

/// argv[0] as an absolute path: as given when it holds a '/', else the first executable
/// match on the container's PATH (its env, or the usual default).
std::string resolve_program(const launch_spec& s) {
  const std::string& prog = s.argv[0];
  if (prog.find('/') != std::string::npos)
    return prog;
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : s.env)
    if (e.rfind("PATH=", 0) == 0)
      path = e.substr(5);
  std::size_t start = 0;
  for (;;) {
    auto end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + prog;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (end == std::string::npos)
      return prog;
    start = end + 1;
  }
}

/// In the container process: never returns. Reports a failure on `err_fd`.
[[noreturn]] void become_container(const launch_spec& s, int err_fd, int log_fd) {
  auto fail = [err_fd](const std::string& what) {
    write_all(err_fd, what + ": " + std::strerror(errno));
    _exit(127);
  };
  for (const auto& procs : s.cgroup_procs) {
    int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1)
      fail("join cgroup " + procs);
    ::close(fd);
  }
  // Open both namespaces before entering either: the mount namespace may not show the
  // state directory that holds the network namespace file.
  int net = s.netns.empty() ? -1 : ::open(s.netns.c_str(), O_RDONLY | O_CLOEXEC);
  int mnt = s.mntns.empty() ? -1 : ::open(s.mntns.c_str(), O_RDONLY | O_CLOEXEC);
  if ((!s.netns.empty() && net < 0) || (!s.mntns.empty() && mnt < 0))
    fail("open the pod's namespaces");
  if (net >= 0 && ::setns(net, CLONE_NEWNET) != 0)
    fail("enter network namespace " + s.netns);
  if (mnt >= 0 && ::setns(mnt, CLONE_NEWNS) != 0)
    fail("enter mount namespace " + s.mntns);
  const std::string dir = s.working_dir.empty() ? "/" : s.working_dir;
  if (::chdir(dir.c_str()) != 0)
    fail("change to workingDir " + dir);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0)
    ::dup2(devnull, 0);
  ::dup2(log_fd, 1);
  ::dup2(log_fd, 2);
  std::vector<std::string> env = s.env;
  bool has_path = false;
  for (const auto& e : env)
    has_path = has_path || e.rfind("PATH=", 0) == 0;
  if (!has_path)
    env.insert(env.begin(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  std::vector<char*> argv, envp;
  for (const auto& a : s.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const std::string program = resolve_program(s);
  ::execve(program.c_str(), argv.data(), envp.data());
  fail("start " + s.argv[0]);
  _exit(127);
}

/// The daemon: starts the container, records its life, reports the start on `report_fd`.
int monitor(const launch_spec& s, int report_fd) {
  ::setsid();
  int devnull = ::open("/dev/null", O_RDWR);
  ::dup2(devnull, 0);
  ::dup2(devnull, 1);
  ::dup2(devnull, 2);
  int log_fd = ::open(s.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  container_record r;
  r.shim_pid = ::getpid();
  auto give_up = [&](const std::string& message) {
    r.current = container_record::phase::failed;
    r.message = message;
    r.finished_at_ns = now_ns();
    (void)write_atomically(s.record_path, encode(r));
    write_all(report_fd, "fail " + message);
    return 1;
  };
  if (log_fd < 0)
    return give_up("open log " + s.log_path + ": " + std::strerror(errno));
  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0)
    return give_up(std::string{"pipe: "} + std::strerror(errno));
  const auto oom_before = oom_kills(s.oom_file);
  pid_t child = ::fork();
  if (child < 0)
    return give_up(std::string{"fork: "} + std::strerror(errno));
  if (child == 0) {
    ::close(err[0]);
    become_container(s, err[1], log_fd);
  }
  ::close(err[1]);
  r.pid = child;
  r.started_at_ns = now_ns();
  const std::string why = read_all(err[0]); // EOF at a successful exec (close-on-exec)
  ::close(err[0]);
  if (!why.empty()) {
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    r.pid = 0;
    return give_up(why);
  }
  if (auto e = write_atomically(s.record_path, encode(r))) {
    write_all(report_fd, "fail " + e.to_string());
    ::kill(child, SIGKILL);
    return 1;
  }
  write_all(report_fd, "ok " + std::to_string(child));
  ::close(report_fd);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  r.finished_at_ns = now_ns();
  r.current = container_record::phase::exited;
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.exit_code = 128 + WTERMSIG(status);
  }
  r.oom_killed = oom_kills(s.oom_file) > oom_before && r.signal == SIGKILL;
  (void)write_atomically(s.record_path, encode(r));
  return 0;
}

} // namespace

int run_shim(const std::string& spec_path) {
  auto text = read_text(spec_path);
  auto spec = text ? decode_launch_spec(*text) : expected<launch_spec>{text.error()};
  if (!spec) {
    std::printf("podvisor-shim: %s\n", spec.error().to_string().c_str());
    return 1;
  }
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    std::printf("podvisor-shim: pipe: %s\n", std::strerror(errno));
    return 1;
  }
  std::fflush(stdout);
  pid_t daemon = ::fork();
  if (daemon < 0) {
    std::printf("podvisor-shim: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (daemon == 0) {
    ::close(report[0]);
    _exit(monitor(*spec, report[1]));
  }
  ::close(report[1]);
  const std::string answer = read_all(report[0]);
  if (answer.rfind("ok ", 0) == 0) {
    std::printf("%s\n", answer.c_str());
    return 0;
  }
  std::printf("%s\n", answer.empty() ? "the monitor died before starting the container"
                                     : answer.substr(answer.find(' ') + 1).c_str());
  return 1;
}

} // namespace podvisor::kube::podlet
