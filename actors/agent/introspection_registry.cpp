#include "actors/agent/introspection_registry.hpp"

#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "introspect/snapshot_metrics.hpp"

namespace podvisor::actors::agent {

introspection_registry::introspection_registry(std::function<wall_time()> now) : now_(std::move(now)) {
  if (!now_)
    now_ = [] { return std::chrono::system_clock::now(); };
}

std::string introspection_registry::key(std::string_view ns, std::string_view name) {
  return std::string(ns) + "/" + std::string(name);
}

void introspection_registry::publish(const vm_snapshot& s) {
  std::lock_guard lock{mu_};
  auto& e = entries_[key(s.namespace_, s.name)];
  if (e.snapshot.uid != s.uid && !e.watchers.empty()) {
    // A new VMI under the same name: the old one's watchers saw it end.
    for (auto& [id, w] : e.watchers)
      w.callback(nullptr);
    e.watchers.clear();
  }
  e.snapshot = s;
  if (e.watchers.empty())
    return;
  auto j = to_json(e.snapshot, now_());
  // Under the lock: cancel waits for a running callback (provider.hpp's contract), and
  // the callbacks only queue.
  for (auto& [id, w] : e.watchers)
    w.callback(j);
}

void introspection_registry::remove(std::string_view namespace_, std::string_view name, std::string_view uid) {
  std::lock_guard lock{mu_};
  auto it = entries_.find(key(namespace_, name));
  if (it == entries_.end() || it->second.snapshot.uid != uid)
    return;
  for (auto& [id, w] : it->second.watchers)
    w.callback(nullptr);
  entries_.erase(it);
}

std::string introspection_registry::metrics_text() {
  std::vector<vm_snapshot> all;
  nlohmann::json items = nlohmann::json::array();
  {
    std::lock_guard lock{mu_};
    auto now = now_();
    for (const auto& [k, e] : entries_) {
      all.push_back(e.snapshot);
      items.push_back(to_json(e.snapshot, now));
    }
  }
  introspect::prometheus_text out;
  if (auto e = introspect::append_supervisor_metrics(out, items); e)
    return "# error: " + e.message + "\n";
  if (auto e = append_vm_metrics(out, all); e)
    return out.text() + "# error: " + e.message + "\n";
  return out.text();
}

nlohmann::json introspection_registry::list() {
  std::lock_guard lock{mu_};
  auto now = now_();
  auto items = nlohmann::json::array();
  for (const auto& [k, e] : entries_)
    items.push_back(to_json(e.snapshot, now));
  return items;
}

std::optional<nlohmann::json> introspection_registry::get(std::string_view namespace_, std::string_view name) {
  std::lock_guard lock{mu_};
  auto it = entries_.find(key(namespace_, name));
  if (it == entries_.end())
    return std::nullopt;
  return to_json(it->second.snapshot, now_());
}

std::optional<introspect::subscription>
introspection_registry::watch(std::string_view namespace_, std::string_view name,
                              std::function<void(const nlohmann::json&)> on_snapshot) {
  std::lock_guard lock{mu_};
  auto k = key(namespace_, name);
  auto it = entries_.find(k);
  if (it == entries_.end())
    return std::nullopt;
  auto id = next_id_++;
  on_snapshot(to_json(it->second.snapshot, now_()));
  it->second.watchers[id] = watcher{std::move(on_snapshot)};
  return introspect::subscription{[this, k, id] { cancel(k, id); }};
}

void introspection_registry::cancel(const std::string& k, std::uint64_t id) {
  std::lock_guard lock{mu_};
  auto it = entries_.find(k);
  if (it != entries_.end())
    it->second.watchers.erase(id);
}

std::string work_dir_from_cmdline(std::string_view cmdline) {
  std::vector<std::string_view> args;
  std::size_t start = 0;
  while (start < cmdline.size()) {
    auto end = cmdline.find('\0', start);
    if (end == std::string_view::npos)
      end = cmdline.size();
    args.push_back(cmdline.substr(start, end - start));
    start = end + 1;
  }
  constexpr std::string_view flag = "--work-dir";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == flag && i + 1 < args.size())
      return std::string(args[i + 1]);
    if (args[i].starts_with(flag) && args[i].size() > flag.size() && args[i][flag.size()] == '=')
      return std::string(args[i].substr(flag.size() + 1));
  }
  return {};
}

expected<std::filesystem::path> introspection_registry::console_log(std::string_view namespace_,
                                                                    std::string_view name) {
  int pid = 0;
  {
    std::lock_guard lock{mu_};
    auto it = entries_.find(key(namespace_, name));
    if (it == entries_.end())
      return error{errc::not_found, "no supervisor for " + key(namespace_, name) + " on this node"};
    pid = it->second.snapshot.launcher.pid;
  }
  if (pid <= 0)
    return error{errc::unavailable, "the launcher of " + key(namespace_, name) + " has not answered yet"};
  auto proc = proc_ / std::to_string(pid);
  std::ifstream in(proc / "cmdline", std::ios::binary);
  if (!in)
    return error{errc::unavailable, "the launcher (pid " + std::to_string(pid) + ") is not running"};
  std::string cmdline{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto work_dir = work_dir_from_cmdline(cmdline);
  if (work_dir.empty() || work_dir.front() != '/')
    return error{errc::unavailable, "the launcher (pid " + std::to_string(pid) + ") has no absolute --work-dir"};
  return proc / "root" / std::filesystem::path(work_dir).relative_path() / "serial.log";
}

} // namespace podvisor::actors::agent
