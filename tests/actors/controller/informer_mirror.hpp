#pragma once
// Controller actor tests drive real informers whose source is the test: `informer_mirror`
// shows an informer what the fake API client holds now (the first time as its list,
// then as the watch events that turn the last view into the current one), so a test
// decides exactly when the controller's caches catch up with its own writes.

#include <map>
#include <memory>
#include <string>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/kube/informer.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

namespace podvisor::test {

class informer_mirror {
public:
  informer_mirror(caf::actor_system& sys, std::shared_ptr<fakes::fake_api_client> client,
                  podvisor::kube::client::resource_ref resource, actors::kube::index_set indexes = {})
      : informer_mirror(sys, std::move(client), plain_config(std::move(resource), std::move(indexes))) {}

  /// An informer configured as `config` says (a production configuration: its indexes
  /// and cache transform), its source the test.
  informer_mirror(caf::actor_system& sys, std::shared_ptr<fakes::fake_api_client> client,
                  actors::kube::informer_config config)
      : client_(std::move(client)), resource_(config.resource) {
    handle = actors::kube::spawn_informer(sys, std::move(config), recording_source_factory(calls_));
  }

  /// Sends the fake's current objects (list or watch batch). Run the scheduler after.
  void refresh() {
    auto listed = client_->list(resource_, "", {});
    REQUIRE(listed);
    std::map<std::string, nlohmann::json> now;
    for (auto& o : listed->items)
      now[key_of(o)] = o;
    if (!listed_) {
      REQUIRE_FALSE(calls_->lists.empty());
      protocols::informer_list_result r;
      r.generation = calls_->lists.back();
      for (auto& [k, o] : now)
        r.items.emplace_back(o);
      r.resource_version = listed->resource_version;
      caf::anon_send(handle.actor, std::move(r));
      listed_ = true;
    } else {
      REQUIRE_FALSE(calls_->watches.empty());
      protocols::informer_watch_batch b;
      b.generation = calls_->watches.back().first;
      using kind = protocols::kube_watch_event::kind;
      for (auto& [k, o] : seen_)
        if (!now.count(k))
          b.events.push_back({kind::deleted, protocols::kube_object{o}});
      for (auto& [k, o] : now) {
        auto it = seen_.find(k);
        if (it == seen_.end())
          b.events.push_back({kind::added, protocols::kube_object{o}});
        else if (it->second != o)
          b.events.push_back({kind::modified, protocols::kube_object{o}});
      }
      if (!b.events.empty())
        caf::anon_send(handle.actor, std::move(b));
    }
    seen_ = std::move(now);
  }

  actors::kube::informer_handle handle;

private:
  static actors::kube::informer_config plain_config(podvisor::kube::client::resource_ref resource,
                                                    actors::kube::index_set indexes) {
    actors::kube::informer_config cfg;
    cfg.resource = std::move(resource);
    cfg.indexes = std::move(indexes);
    return cfg;
  }

  static std::string key_of(const nlohmann::json& o) {
    const auto& m = o.at("metadata");
    auto ns = m.value("namespace", "");
    return ns.empty() ? m.value("name", "") : ns + "/" + m.value("name", "");
  }

  std::shared_ptr<fakes::fake_api_client> client_;
  podvisor::kube::client::resource_ref resource_;
  std::shared_ptr<source_calls> calls_ = std::make_shared<source_calls>();
  bool listed_ = false;
  std::map<std::string, nlohmann::json> seen_;
};

} // namespace podvisor::test
