#include "kube/client/token_source.hpp"

#include <system_error>

#include "kube/client/config_files.hpp"

namespace podvisor::kube::client {

expected<std::unique_ptr<token_source>> token_source::create(std::string token, std::filesystem::path file,
                                                              const podvisor::clock& clock) {
  std::unique_ptr<token_source> out(new token_source(file.empty() ? std::move(token) : std::string{}, file, clock));
  if (file.empty())
    return out;
  std::string why;
  std::lock_guard lock{out->mu_};
  if (!out->reload_locked(&why))
    return error{errc::unauthorized, why};
  return out;
}

bool token_source::reload_locked(std::string* why) {
  std::error_code ec;
  // Stat before reading: if the file changes between the two, the next check sees a
  // newer time stamp and reads again, instead of keeping a stale token forever.
  auto mtime = std::filesystem::last_write_time(file_, ec);
  auto size = ec ? 0 : std::filesystem::file_size(file_, ec);
  last_check_ = clock_.now();
  auto text = read_text_file(file_, "token file");
  if (!text) {
    if (why)
      *why = text.error().message;
    return false;
  }
  auto token = trim(*text);
  if (token.empty()) {
    if (why)
      *why = "token file " + file_.string() + ": empty";
    return false;
  }
  if (!ec) {
    mtime_ = mtime;
    size_ = size;
  }
  token_ = std::move(token);
  return true;
}

std::string token_source::current() {
  std::lock_guard lock{mu_};
  if (file_.empty() || clock_.now() - last_check_ < check_interval)
    return token_;
  last_check_ = clock_.now();
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(file_, ec);
  auto size = ec ? 0 : std::filesystem::file_size(file_, ec);
  if (!ec && (mtime != mtime_ || size != size_))
    reload_locked();
  return token_;
}

bool token_source::refresh() {
  std::lock_guard lock{mu_};
  if (file_.empty())
    return false;
  auto before = token_;
  reload_locked();
  return token_ != before;
}

} // namespace podvisor::kube::client
