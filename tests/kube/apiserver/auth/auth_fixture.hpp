#pragma once
// Helpers for the auth tests: a temporary data directory removed at the end of the test
// (pass or fail), file modes, whole-file reads and running a command for its output.

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <system_error>

#include <sys/stat.h>
#include <sys/wait.h>

namespace podvisor::test {

/// A fresh directory under the system temp dir, removed with its contents on destruction.
class auth_temp_dir {
public:
  auth_temp_dir() {
    std::random_device rd;
    for (;;) {
      path_ = std::filesystem::temp_directory_path() /
              ("podvisor-auth-test-" + std::to_string(rd()));
      std::error_code ec;
      if (std::filesystem::create_directory(path_, ec))
        break;
    }
  }
  auth_temp_dir(const auth_temp_dir&) = delete;
  auth_temp_dir& operator=(const auth_temp_dir&) = delete;
  ~auth_temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

/// The permission bits of `path` (e.g. 0600), or -1 if it does not exist.
inline int file_mode(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return -1;
  return static_cast<int>(st.st_mode & 07777);
}

/// The whole content of `path` ("" if unreadable).
inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Writes `content` to `path`, replacing it.
inline void spit(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << content;
}

/// Output and exit status of a shell command.
struct command_result {
  int exit_code = -1;
  std::string output;
};

/// Runs `command` with /bin/sh and captures its standard output.
inline command_result run_command(const std::string& command) {
  command_result r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
    r.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

} // namespace podvisor::test
