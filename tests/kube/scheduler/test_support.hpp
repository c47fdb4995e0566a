#pragma once
// Small builders for scheduler tests: nodes and pods with just the fields a test sets.

#include <string>
#include <string_view>

#include <catch2/catch_test_macros.hpp>

#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/api/quantity.hpp"

namespace podvisor::kube::scheduler::testing {

inline api::quantity qty(std::string_view text) {
  auto q = api::quantity::parse(text);
  REQUIRE(q);
  return *q;
}

/// A Ready node with this allocatable cpu and memory (capacity the same).
inline api::node make_node(std::string name, std::string_view cpu = "4", std::string_view memory = "8Gi") {
  api::node n;
  n.metadata.name = std::move(name);
  n.status.allocatable["cpu"] = qty(cpu);
  n.status.allocatable["memory"] = qty(memory);
  n.status.capacity = n.status.allocatable;
  api::node_condition ready;
  ready.type = "Ready";
  ready.status = api::condition_status::true_;
  n.status.conditions.push_back(ready);
  return n;
}

/// A pod with one container requesting cpu and memory (empty: no request).
inline api::pod make_pod(std::string name, std::string_view cpu = "", std::string_view memory = "",
                         std::string ns = "default") {
  api::pod p;
  p.metadata.name = std::move(name);
  p.metadata.namespace_ = std::move(ns);
  api::container c;
  c.name = "compute";
  if (!cpu.empty())
    c.resources.requests["cpu"] = qty(cpu);
  if (!memory.empty())
    c.resources.requests["memory"] = qty(memory);
  p.spec.containers.push_back(c);
  return p;
}

inline api::taint make_taint(std::string key, std::string value, api::taint_effect effect) {
  api::taint t;
  t.key = std::move(key);
  t.value = std::move(value);
  t.effect = effect;
  return t;
}

/// A toleration; `op`, `effect` as wire strings ("" leaves them unset).
inline api::toleration make_toleration(std::string key, std::string op, std::string value, std::string effect) {
  api::toleration t;
  t.key = std::move(key);
  t.operator_.set_raw(std::move(op));
  t.value = std::move(value);
  t.effect.set_raw(std::move(effect));
  return t;
}

/// A required anti-affinity term: pods labelled key=value, on the hostname topology.
inline api::pod_affinity_term anti_term(std::string key, std::string value,
                                        std::string topology = "kubernetes.io/hostname") {
  api::pod_affinity_term t;
  t.label_selector_ = api::label_selector{};
  t.label_selector_->match_labels[std::move(key)] = std::move(value);
  t.topology_key = std::move(topology);
  return t;
}

/// Adds a required anti-affinity term to the pod.
inline void add_anti_affinity(api::pod& p, api::pod_affinity_term term) {
  if (!p.spec.affinity_)
    p.spec.affinity_.emplace();
  if (!p.spec.affinity_->pod_anti_affinity)
    p.spec.affinity_->pod_anti_affinity.emplace();
  p.spec.affinity_->pod_anti_affinity->required_during_scheduling_ignored_during_execution.push_back(
    std::move(term));
}

} // namespace podvisor::kube::scheduler::testing
