#include "cmd/podvisor/vm_power.hpp"

#include "kube/api/kubevirt/vm.hpp"

namespace podvisor::cli {

namespace api = kube::api;
using nlohmann::json;

namespace {

std::string str_at(const json& j, const json::json_pointer& p) {
  return j.contains(p) && j.at(p).is_string() ? j.at(p).get<std::string>() : std::string{};
}

expected<api::run_strategy> strategy_of(const json& vm) {
  const json::json_pointer running_ptr{"/spec/running"}, strategy_ptr{"/spec/runStrategy"};
  bool has_running = vm.contains(running_ptr) && vm.at(running_ptr).is_boolean();
  std::string raw = str_at(vm, strategy_ptr);
  if (has_running && !raw.empty())
    return error{errc::invalid_argument, "spec.running and spec.runStrategy are mutually exclusive"};
  if (!raw.empty()) {
    auto s = api::parse_enum<api::run_strategy>(raw);
    if (!s)
      return error{errc::invalid_argument, "unknown spec.runStrategy \"" + raw + "\""};
    return *s;
  }
  if (has_running && vm.at(running_ptr).get<bool>())
    return api::run_strategy::always;
  return api::run_strategy::halted;
}

json request(std::string_view action, const std::string& uid = {}) {
  json r = {{"action", action}};
  if (!uid.empty())
    r["uid"] = uid;
  return r;
}

/// KubeVirt's change-request patch: the whole status when the VM has none yet; else
/// add the list, which a Stop may replace but a Start must not.
expected<power_patch> request_patch(const json& vm, json requests, bool replaces_pending, std::string summary) {
  power_patch p;
  p.status_subresource = true;
  p.summary = std::move(summary);
  bool no_status = !vm.contains("status") || !vm["status"].is_object() || vm["status"].empty();
  if (no_status) {
    p.body = json::array({{{"op", "add"}, {"path", "/status"}, {"value", {{"stateChangeRequests", requests}}}}});
    return p;
  }
  const auto& pending = vm["status"].value("stateChangeRequests", json::array());
  if (pending.is_array() && !pending.empty() && !replaces_pending)
    return error{errc::conflict, "unable to complete request: stop/start already underway"};
  p.body = json::array({{{"op", "add"}, {"path", "/status/stateChangeRequests"}, {"value", std::move(requests)}}});
  return p;
}

/// A merge patch that sets the run strategy (and drops the deprecated spec.running).
power_patch strategy_patch(const json& vm, api::run_strategy s) {
  power_patch p;
  std::string name{api::to_string(s)};
  p.body = {{"spec", {{"runStrategy", name}}}};
  if (vm.contains(json::json_pointer{"/spec/running"}))
    p.body["spec"]["running"] = nullptr;
  p.summary = "runStrategy " + name;
  return p;
}

error unsupported(api::run_strategy s, std::string_view what) {
  return error{errc::invalid_argument,
               "runStrategy " + std::string{api::to_string(s)} + " does not support manual " + std::string{what} +
                 " requests"};
}

} // namespace

std::optional<power_action> parse_power_action(std::string_view word) {
  if (word == "start")
    return power_action::start;
  if (word == "stop")
    return power_action::stop;
  if (word == "restart")
    return power_action::restart;
  return std::nullopt;
}

expected<power_options> parse_power_args(const std::vector<std::string_view>& args) {
  power_options o;
  std::vector<std::string_view> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      o.help = true;
      return o;
    }
    auto flag_value = [&](std::string_view flag, std::string& out) -> expected<bool> {
      if (a.starts_with(flag) && a.size() > flag.size() && a[flag.size()] == '=') {
        out = std::string(a.substr(flag.size() + 1));
      } else if (a == flag) {
        if (i + 1 >= args.size())
          return error{errc::invalid_argument, std::string(flag) + " needs a value"};
        out = std::string(args[++i]);
      } else {
        return false;
      }
      if (out.empty())
        return error{errc::invalid_argument, std::string(flag) + " needs a value"};
      return true;
    };
    bool matched = false;
    for (auto [flag, out] : {std::pair<std::string_view, std::string*>{"-n", &o.namespace_},
                             {"--namespace", &o.namespace_},
                             {"--kubeconfig", &o.kubeconfig}}) {
      auto r = flag_value(flag, *out);
      if (!r)
        return r.error();
      if (*r) {
        matched = true;
        break;
      }
    }
    if (matched)
      continue;
    if (a.starts_with("-"))
      return error{errc::invalid_argument, "unknown flag \"" + std::string(a) + "\""};
    positional.push_back(a);
  }
  if (positional.empty() || (positional[0] != "vm" && positional[0] != "vms" && positional[0] != "virtualmachine"))
    return error{errc::invalid_argument, "expected \"vm NAME\""};
  if (positional.size() != 2)
    return error{errc::invalid_argument, positional.size() < 2 ? "missing the VM's name" : "expected one VM name"};
  o.name = std::string(positional[1]);
  return o;
}

expected<power_patch> plan_power(power_action action, const json& vm, const json* vmi) {
  if (!vm.is_object())
    return error{errc::invalid_argument, "not a VirtualMachine object"};
  auto strategy = strategy_of(vm);
  if (!strategy)
    return strategy.error();
  const std::string uid = vmi ? str_at(*vmi, json::json_pointer{"/metadata/uid"}) : std::string{};
  const std::string phase = vmi ? str_at(*vmi, json::json_pointer{"/status/phase"}) : std::string{};
  const bool vmi_final = phase == "Succeeded" || phase == "Failed";
  const bool vmi_runs = vmi && !vmi_final;
  using rs = api::run_strategy;

  switch (action) {
  case power_action::start:
    switch (*strategy) {
    case rs::halted:
      return strategy_patch(vm, rs::always);
    case rs::manual:
    case rs::rerun_on_failure: {
      if (vmi_runs)
        return error{errc::conflict, "VM is already running"};
      if (vmi) // an ended VMI: stop it first
        return request_patch(vm, json::array({request("Stop", uid), request("Start")}), false,
                             "Stop request for the ended VMI, then Start request");
      return request_patch(vm, json::array({request("Start")}), false, "Start request");
    }
    case rs::always:
    case rs::once:
    case rs::wait_as_receiver:
      return unsupported(*strategy, "start");
    }
    break;
  case power_action::stop:
    switch (*strategy) {
    case rs::always:
    case rs::once:
    case rs::wait_as_receiver:
      return strategy_patch(vm, rs::halted);
    case rs::halted:
    case rs::manual:
    case rs::rerun_on_failure:
      if (!vmi_runs)
        return error{errc::conflict, "VM is not running"};
      return request_patch(vm, json::array({request("Stop", uid)}), true, "Stop request");
    }
    break;
  case power_action::restart:
    switch (*strategy) {
    case rs::halted:
    case rs::once:
    case rs::wait_as_receiver:
      return unsupported(*strategy, "restart");
    case rs::always:
    case rs::manual:
    case rs::rerun_on_failure:
      if (!vmi)
        return error{errc::conflict, "VM is not running"};
      return request_patch(vm, json::array({request("Stop", uid), request("Start")}), false,
                           "Stop and Start requests");
    }
    break;
  }
  return error{errc::internal, "unhandled power action"};
}

} // namespace podvisor::cli
