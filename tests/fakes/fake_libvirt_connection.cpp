#include "tests/fakes/fake_libvirt_connection.hpp"

#include <utility>

namespace podvisor::fakes {

namespace {

using virt::domain_event;
using virt::domain_state;
using kind = domain_event::kind;

domain_event make_event(kind k, const std::string& name, std::string detail, bool graceful = false) {
  domain_event e;
  e.what = k;
  e.domain = name;
  e.detail = std::move(detail);
  e.graceful = graceful;
  return e;
}

/// The text of the first <name> element: enough for the XML the converter writes.
std::optional<std::string> domain_name(const std::string& xml) {
  auto open = xml.find("<name>");
  if (open == std::string::npos)
    return std::nullopt;
  open += 6;
  auto close = xml.find("</name>", open);
  if (close == std::string::npos || close == open)
    return std::nullopt;
  return xml.substr(open, close - open);
}

bool active(domain_state s) {
  return s != domain_state::shut_off && s != domain_state::no_state && s != domain_state::crashed;
}

error no_domain(const std::string& name, std::string_view what) {
  return error{errc::not_found, "Domain not found: no domain with matching name '" + name + "'",
               std::string{what} + " " + name};
}

error not_running(const std::string& name, std::string_view what) {
  return error{errc::conflict, "Requested operation is not valid: domain is not running",
               std::string{what} + " " + name};
}

} // namespace

std::string_view to_string(fake_libvirt_connection::op o) {
  using enum fake_libvirt_connection::op;
  switch (o) {
    case define: return "define";
    case start: return "start";
    case shutdown: return "shutdown";
    case destroy: return "destroy";
    case undefine: return "undefine";
    case suspend: return "suspend";
    case resume: return "resume";
    case status: return "status";
    case stats: return "stats";
    case list: return "list";
    case capabilities: return "capabilities";
    case reconnect: return "reconnect";
  }
  return "unknown";
}

fake_libvirt_connection::fake_libvirt_connection(virt::connection_callbacks cb) : cb_(std::move(cb)) {}

void fake_libvirt_connection::set_callbacks(virt::connection_callbacks cb) {
  std::lock_guard lock{mutex_};
  cb_ = std::move(cb);
}

error fake_libvirt_connection::begin(std::unique_lock<std::mutex>& /*lock*/, op o, const std::string& name) {
  error e;
  if (auto it = failures_.find(o); it != failures_.end() && !it->second.empty()) {
    e = std::move(it->second.front());
    it->second.pop_front();
  } else if (lost_ && o != op::reconnect) {
    e = error{errc::unavailable, "internal error: client socket is closed", std::string{to_string(o)}};
  }
  if (e)
    record(o, name, e.code);
  return e;
}

void fake_libvirt_connection::record(op o, const std::string& name, errc result) {
  calls_.push_back(call{o, name, result});
  changed_.notify_all();
}

template <class T>
T fake_libvirt_connection::finish(std::unique_lock<std::mutex>& lock, op o, const std::string& name, T result,
                                  event_list out) {
  errc code = errc::none;
  if constexpr (std::is_same_v<T, error>)
    code = result.code;
  else
    code = result.error_or_ok().code;
  record(o, name, code);
  deliver(lock, std::move(out));
  return result;
}

void fake_libvirt_connection::deliver(std::unique_lock<std::mutex>& lock, event_list out) {
  if (out.empty())
    return;
  events_.insert(events_.end(), out.begin(), out.end());
  changed_.notify_all();
  auto cb = cb_.on_domain_event;
  lock.unlock();
  if (cb)
    for (const auto& e : out)
      cb(e);
  lock.lock();
}

void fake_libvirt_connection::stop_locked(const std::string& name, const std::string& detail, bool graceful,
                                          event_list& out) {
  auto& d = domains_.at(name);
  d.state = domain_state::shut_off;
  d.reason = detail;
  d.shutdown_requested = false;
  out.push_back(make_event(kind::stopped, name, detail, graceful));
  if (!d.persistent) {
    domains_.erase(name);
    out.push_back(make_event(kind::undefined, name, "removed"));
  }
}

expected<std::string> fake_libvirt_connection::define_domain(const std::string& xml) {
  std::unique_lock lock{mutex_};
  auto name = domain_name(xml);
  if (error e = begin(lock, op::define, name.value_or("")))
    return e;
  if (!name)
    return finish<expected<std::string>>(
        lock, op::define, "",
        error{errc::invalid_argument, "XML error: missing domain name information", "define domain"});
  event_list out;
  auto [it, added] = domains_.try_emplace(*name);
  it->second.xml = xml;
  it->second.persistent = true;
  out.push_back(make_event(kind::defined, *name, added ? "added" : "updated"));
  return finish<expected<std::string>>(lock, op::define, *name, *name, std::move(out));
}

error fake_libvirt_connection::start_domain(const std::string& name) {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::start, name))
    return e;
  auto it = domains_.find(name);
  if (it == domains_.end())
    return finish(lock, op::start, name, no_domain(name, "start domain"));
  if (active(it->second.state))
    return finish(lock, op::start, name,
                  error{errc::conflict, "Requested operation is not valid: domain is already running",
                        "start domain " + name});
  it->second.state = domain_state::running;
  it->second.reason = "booted";
  return finish(lock, op::start, name, error{}, {make_event(kind::started, name, "booted")});
}

error fake_libvirt_connection::shutdown_domain(const std::string& name) {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::shutdown, name))
    return e;
  auto it = domains_.find(name);
  if (it == domains_.end())
    return finish(lock, op::shutdown, name, no_domain(name, "shut down domain"));
  if (!active(it->second.state))
    return finish(lock, op::shutdown, name, not_running(name, "shut down domain"));
  it->second.shutdown_requested = true;
  event_list out;
  if (shutdown_immediate_) {
    out.push_back(make_event(kind::shutdown, name, "finished"));
    stop_locked(name, "shutdown", true, out);
  }
  return finish(lock, op::shutdown, name, error{}, std::move(out));
}

error fake_libvirt_connection::destroy_domain(const std::string& name) {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::destroy, name))
    return e;
  auto it = domains_.find(name);
  if (it == domains_.end())
    return finish(lock, op::destroy, name, no_domain(name, "destroy domain"));
  event_list out;
  if (active(it->second.state))
    stop_locked(name, "destroyed", false, out);
  return finish(lock, op::destroy, name, error{}, std::move(out));
}

error fake_libvirt_connection::undefine_domain(const std::string& name) {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::undefine, name))
    return e;
  auto it = domains_.find(name);
  if (it == domains_.end() || !it->second.persistent)
    return finish(lock, op::undefine, name, error{});
  event_list out{make_event(kind::undefined, name, "removed")};
  if (active(it->second.state))
    it->second.persistent = false; // stays as a transient domain until it stops
  else
    domains_.erase(it);
  return finish(lock, op::undefine, name, error{}, std::move(out));
}

error fake_libvirt_connection::suspend_domain(const std::string& name) {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::suspend, name))
    return e;
  auto it = domains_.find(name);
  if (it == domains_.end())
    return finish(lock, op::suspend, name, no_domain(name, "suspend domain"));
  if (!active(it->second.state))
    return finish(lock, op::suspend, name, not_running(name, "suspend domain"));
  if (it->second.state == domain_state::paused)
    return finish(lock, op::suspend, name, error{});
  it->second.state = domain_state::paused;
  it->second.reason = "user";
  return finish(lock, op::suspend, name, error{}, {make_event(kind::suspended, name, "paused")});
}

error fake_libvirt_connection::resume_domain(const std::string& name) {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::resume, name))
    return e;
  auto it = domains_.find(name);
  if (it == domains_.end())
    return finish(lock, op::resume, name, no_domain(name, "resume domain"));
  if (it->second.state != domain_state::paused)
    return finish(lock, op::resume, name,
                  error{errc::conflict, "Requested operation is not valid: domain is not paused",
                        "resume domain " + name});
  it->second.state = domain_state::running;
  it->second.reason = "unpaused";
  return finish(lock, op::resume, name, error{}, {make_event(kind::resumed, name, "unpaused")});
}

expected<virt::domain_status> fake_libvirt_connection::status(const std::string& name) {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::status, name))
    return e;
  auto it = domains_.find(name);
  if (it == domains_.end())
    return finish<expected<virt::domain_status>>(lock, op::status, name, no_domain(name, "status of domain"));
  return finish<expected<virt::domain_status>>(lock, op::status, name,
                                               virt::domain_status{it->second.state, it->second.reason});
}

expected<virt::domain_stats> fake_libvirt_connection::stats(const std::string& name) {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::stats, name))
    return e;
  auto it = domains_.find(name);
  if (it == domains_.end())
    return finish<expected<virt::domain_stats>>(lock, op::stats, name, no_domain(name, "stats of domain"));
  auto& d = it->second;
  virt::domain_stats s;
  if (d.stats) {
    s = *d.stats;
  } else {
    s.vcpus = 1;
    s.memory_kib = 1024 * 1024;
    if (active(d.state)) {
      d.cpu_time_ns += 1'000'000;
      s.qemu_pid = 4242;
    }
    s.cpu_time_ns = d.cpu_time_ns;
  }
  if (!active(d.state))
    s.qemu_pid = 0;
  return finish<expected<virt::domain_stats>>(lock, op::stats, name, s);
}

expected<std::vector<std::string>> fake_libvirt_connection::list_domains() {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::list, ""))
    return e;
  std::vector<std::string> names;
  for (const auto& [name, d] : domains_)
    names.push_back(name);
  return finish<expected<std::vector<std::string>>>(lock, op::list, "", std::move(names));
}

error fake_libvirt_connection::load_domain_capabilities() {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::capabilities, ""))
    return e;
  return finish(lock, op::capabilities, "", error{});
}

bool fake_libvirt_connection::alive() {
  std::lock_guard lock{mutex_};
  return !lost_;
}

error fake_libvirt_connection::reconnect() {
  std::unique_lock lock{mutex_};
  if (error e = begin(lock, op::reconnect, ""))
    return e;
  lost_ = false;
  return finish(lock, op::reconnect, "", error{});
}

void fake_libvirt_connection::fail_next(op o, error e, int times) {
  std::lock_guard lock{mutex_};
  for (int i = 0; i < times; ++i)
    failures_[o].push_back(e);
}

void fake_libvirt_connection::set_shutdown_immediate(bool immediate) {
  std::lock_guard lock{mutex_};
  shutdown_immediate_ = immediate;
}

bool fake_libvirt_connection::guest_powers_off(const std::string& name) {
  std::unique_lock lock{mutex_};
  auto it = domains_.find(name);
  if (it == domains_.end() || !active(it->second.state))
    return false;
  event_list out{make_event(kind::shutdown, name, "finished")};
  stop_locked(name, "shutdown", true, out);
  deliver(lock, std::move(out));
  return true;
}

bool fake_libvirt_connection::qemu_dies(const std::string& name, std::string reason) {
  std::unique_lock lock{mutex_};
  auto it = domains_.find(name);
  if (it == domains_.end() || !active(it->second.state))
    return false;
  event_list out;
  stop_locked(name, reason, false, out);
  deliver(lock, std::move(out));
  return true;
}

void fake_libvirt_connection::lose_connection(std::string why) {
  std::unique_lock lock{mutex_};
  if (lost_)
    return;
  lost_ = true;
  changed_.notify_all();
  auto cb = cb_.on_connection_lost;
  lock.unlock();
  if (cb)
    cb(error{errc::unavailable, std::move(why), "libvirt connection lost"});
}

void fake_libvirt_connection::set_stats(const std::string& name, virt::domain_stats s) {
  std::lock_guard lock{mutex_};
  if (auto it = domains_.find(name); it != domains_.end())
    it->second.stats = s;
}

std::vector<fake_libvirt_connection::call> fake_libvirt_connection::calls() const {
  std::lock_guard lock{mutex_};
  return calls_;
}

std::size_t fake_libvirt_connection::count(op o) const {
  std::lock_guard lock{mutex_};
  std::size_t n = 0;
  for (const auto& c : calls_)
    n += c.what == o ? 1 : 0;
  return n;
}

std::vector<virt::domain_event> fake_libvirt_connection::events() const {
  std::lock_guard lock{mutex_};
  return events_;
}

bool fake_libvirt_connection::wait_for_events(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock{mutex_};
  return changed_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
}

std::optional<virt::domain_state> fake_libvirt_connection::state_of(const std::string& name) const {
  std::lock_guard lock{mutex_};
  auto it = domains_.find(name);
  if (it == domains_.end())
    return std::nullopt;
  return it->second.state;
}

std::string fake_libvirt_connection::xml_of(const std::string& name) const {
  std::lock_guard lock{mutex_};
  auto it = domains_.find(name);
  return it == domains_.end() ? std::string{} : it->second.xml;
}

} // namespace podvisor::fakes
