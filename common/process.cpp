#include "common/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "common/format.hpp"

extern char** environ;

namespace podvisor {

std::string exit_status::to_string() const {
  if (exited)
    return format("exit code {}", code);
  return format("killed by signal {} ({})", signal, ::strsignal(signal));
}

namespace {

exit_status decode(int wstatus) {
  exit_status s;
  if (WIFEXITED(wstatus)) {
    s.exited = true;
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

// Writes the errno of a failed step to the status pipe and leaves without running the
// parent's atexit handlers.
[[noreturn]] void child_fail(int fd, int err) {
  ssize_t ignored = ::write(fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

} // namespace

expected<child_process> child_process::spawn(const std::vector<std::string>& argv, const spawn_options& opts) {
  if (argv.empty())
    return error{errc::invalid_argument, "spawn: empty command"};
  // Everything the child needs is built here: after fork it may not allocate.
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e)
    env_storage.emplace_back(*e);
  env_storage.insert(env_storage.end(), opts.env.begin(), opts.env.end());
  std::vector<char*> envp;
  for (auto& e : env_storage)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  for (int c : opts.cpus)
    CPU_SET(c, &cpus);

  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0)
    return error{errc::io_error, format("spawn {}: pipe: {}", argv[0], std::strerror(errno))};

  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(status_pipe[0]);
    ::close(status_pipe[1]);
    return error{errc::resource_exhausted, format("spawn {}: fork: {}", argv[0], std::strerror(err))};
  }
  if (pid == 0) {
    ::close(status_pipe[0]);
    // Own process group: a terminal's Ctrl-C reaches the owner, which stops the child
    // in order, instead of reaching both at once.
    ::setpgid(0, 0);
    if (opts.parent_death_signal != 0)
      ::prctl(PR_SET_PDEATHSIG, opts.parent_death_signal);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!opts.cpus.empty() && ::sched_setaffinity(0, sizeof cpus, &cpus) != 0)
      child_fail(status_pipe[1], errno);
    if (!opts.output_path.empty()) {
      int fd = ::open(opts.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0)
        child_fail(status_pipe[1], errno);
      if (::dup2(fd, STDOUT_FILENO) < 0 || ::dup2(fd, STDERR_FILENO) < 0)
        child_fail(status_pipe[1], errno);
    }
    int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0)
      ::dup2(devnull, STDIN_FILENO);
    if (opts.hook != nullptr) {
      int err = opts.hook(opts.hook_context);
      if (err != 0)
        child_fail(status_pipe[1], err);
    }
    ::execvpe(args[0], args.data(), envp.data());
    child_fail(status_pipe[1], errno);
  }
  ::close(status_pipe[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(status_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  if (n == sizeof child_errno) {
    int ignored;
    ::waitpid(pid, &ignored, 0);
    return error{errc::unavailable, format("spawn {}: {}", argv[0], std::strerror(child_errno))};
  }
  return child_process{pid};
}

child_process::child_process(child_process&& other) noexcept : pid_(other.pid_), status_(other.status_) {
  other.pid_ = -1;
}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_)
      stop(std::chrono::seconds(5));
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

child_process::~child_process() {
  if (pid_ > 0 && !status_)
    stop(std::chrono::seconds(5));
}

bool child_process::try_reap(bool block) {
  if (pid_ <= 0 || status_)
    return true;
  int wstatus = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &wstatus, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    status_ = decode(wstatus);
    return true;
  }
  if (r < 0) { // not our child any more (reaped elsewhere): treat as gone
    status_ = exit_status{};
    return true;
  }
  return false;
}

bool child_process::running() {
  return !try_reap(false);
}

expected<exit_status> child_process::wait_for(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Polling with a short, growing interval: waitpid has no timeout, and a SIGCHLD
  // handler would be process-global state a library must not own.
  auto step = std::chrono::milliseconds(1);
  while (!try_reap(false)) {
    if (std::chrono::steady_clock::now() >= deadline)
      return error{errc::timeout, format("process {} still running after {} ms", pid_, timeout.count())};
    std::this_thread::sleep_for(step);
    step = std::min(step * 2, std::chrono::milliseconds(50));
  }
  return *status_;
}

void child_process::signal(int sig) {
  if (pid_ > 0 && !status_)
    ::kill(pid_, sig);
}

exit_status child_process::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0)
    return {};
  if (!status_) {
    signal(SIGTERM);
    if (!wait_for(grace)) {
      signal(SIGKILL);
      try_reap(true);
    }
  }
  return *status_;
}

expected<long> process_rss_kib(pid_t pid) {
  std::ifstream in(format("/proc/{}/status", pid));
  if (!in)
    return error{errc::not_found, format("no process {}", pid)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  }
  return error{errc::not_found, format("process {} has no VmRSS (a zombie or kernel thread)", pid)};
}

} // namespace podvisor
