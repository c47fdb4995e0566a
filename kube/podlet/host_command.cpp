#include "kube/podlet/host_command.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace podvisor::kube::podlet {

namespace {

std::string join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty())
      out += ' ';
    out += a;
  }
  return out;
}

} // namespace

expected<std::string> run_command(const std::vector<std::string>& argv) {
  if (argv.empty())
    return error{errc::invalid_argument, "empty command"};
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return error{errc::io_error, std::string{"pipe: "} + std::strerror(errno)};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return error{errc::not_found, join(argv) + ": cannot start: " + std::strerror(rc)};
  }
  std::string output;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0)
      output.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return output;
  while (!output.empty() && (output.back() == '\n' || output.back() == ' '))
    output.pop_back();
  std::string how = WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                                      : "signal " + std::to_string(WTERMSIG(status));
  return error{errc::io_error, join(argv) + " failed (" + how + "): " + output};
}

error run_checked(const std::vector<std::string>& argv) {
  auto r = run_command(argv);
  return r ? error{} : r.error();
}

std::vector<std::string> in_netns(const std::string& netns_path, std::vector<std::string> argv) {
  std::vector<std::string> out{"nsenter", "--net=" + netns_path};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

} // namespace podvisor::kube::podlet
