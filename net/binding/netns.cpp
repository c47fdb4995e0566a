#include "net/binding/netns.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

namespace podvisor::net::binding {

namespace {

error errno_error(int err, std::string what) {
  errc code = errc::io_error;
  if (err == ENOENT)
    code = errc::not_found;
  else if (err == EPERM || err == EACCES)
    code = errc::forbidden;
  else if (err == EINVAL)
    code = errc::invalid_argument;
  return error{code, std::move(what) + ": " + std::strerror(err)};
}

} // namespace

std::string netns_ref::describe() const {
  if (!path.empty())
    return "netns " + path;
  return "netns fd " + std::to_string(fd);
}

netns_thread::netns_thread(const netns_ref& ns) {
  int fd = -1;
  if (!ns.path.empty()) {
    fd = ::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ready_ = errno_error(errno, "open " + ns.describe());
      return;
    }
  } else if (ns.fd >= 0) {
    // Our own copy, so the caller may close theirs as soon as we return.
    fd = ::fcntl(ns.fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      ready_ = errno_error(errno, "dup " + ns.describe());
      return;
    }
  } else {
    ready_ = error{errc::invalid_argument, "netns_ref names neither a path nor a descriptor"};
    return;
  }
  std::promise<error> entered;
  auto entered_result = entered.get_future();
  thread_ = std::thread([this, fd, p = std::move(entered)]() mutable { loop(fd, std::move(p)); });
  ready_ = entered_result.get();
  if (!ready_.ok())
    ready_ = ready_.with_context("enter " + ns.describe());
}

netns_thread::~netns_thread() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void netns_thread::post(std::function<void()> job) {
  {
    std::lock_guard lock{mutex_};
    jobs_.push_back(std::move(job));
  }
  wake_.notify_all();
}

void netns_thread::loop(int fd, std::promise<error> entered) {
  int rc = ::setns(fd, CLONE_NEWNET);
  int err = errno;
  ::close(fd);
  if (rc != 0) {
    entered.set_value(errno_error(err, "setns"));
    return;
  }
  entered.set_value(error{});
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock{mutex_};
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

} // namespace podvisor::net::binding
