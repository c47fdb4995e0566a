// The CLI's path to a node agent end to end, without a cluster: the endpoint and
// credentials found through the fake API, then the real introspection server over TLS
// (verified against the Secret's CA) through rest_client's get_raw and stream_raw.

#include <catch2/catch_test_macros.hpp>

#include "cmd/podvisor/introspect_report.hpp"
#include "cmd/podvisor/introspect_target.hpp"
#include "introspect/publication.hpp"
#include "kube/client/resource.hpp"
#include "kube/client/rest_client.hpp"
#include "tests/fakes/fake_api_client.hpp"
#include "tests/introspect/server_fixture.hpp"

using namespace podvisor;
using namespace podvisor::cli;
using namespace std::chrono_literals;
using nlohmann::json;
namespace res = podvisor::kube::client::resources;

namespace {

/// Publishes the server as `podvisor up` will: introspect/publication.hpp's Secret and
/// Node annotation (a merge patch), so the lookup is tested against the writer's side.
void publish(fakes::fake_api_client& api, const test::running_server& s, const std::string& token,
             const std::string& ca_pem) {
  REQUIRE(api.create(res::virtual_machine_instances(), "default",
                     {{"metadata", {{"name", "vm1"}, {"namespace", "default"}}},
                      {"status", {{"phase", "Running"}, {"nodeName", "node-1"}}}}));
  REQUIRE(api.create(res::nodes(), "", {{"metadata", {{"name", "node-1"}}}}));
  REQUIRE(api.patch(res::nodes(), "", "node-1", kube::client::patch_type::merge,
                    introspect::endpoint_annotation_patch(introspect::endpoint_url("127.0.0.1", s.server.port()))));
  REQUIRE(api.create(res::secrets(), "kube-system", introspect::credentials_secret(token + "\n", ca_pem)));
}

std::unique_ptr<kube::client::rest_client> agent_client(const introspection_target& t) {
  kube::client::client_config c;
  c.server = t.endpoint;
  c.ca_pem = t.ca_pem;
  c.token = t.token;
  auto client = kube::client::rest_client::create(c);
  REQUIRE(client.has_value());
  return std::move(*client);
}

json snapshot(const std::string& state, int transitions) {
  json timeline = json::array();
  for (int i = 0; i < transitions; ++i)
    timeline.push_back({{"state", "S" + std::to_string(i)}, {"at", "2026-11-28T15:04:0" + std::to_string(i) + ".000Z"},
                        {"durationMs", 100}});
  return {{"namespace", "default"}, {"name", "vm1"}, {"node", "node-1"}, {"state", state}, {"timeline", timeline}};
}

} // namespace

TEST_CASE("introspect client: the report comes from the agent found through the API",
          "[cmd][podvisor][introspect][client]") {
  test::running_server s;
  s.provider.set("default", "vm1", snapshot("Running", 2));
  fakes::fake_api_client api;
  publish(api, s, s.files.token, s.files.ca_pem);
  auto t = find_introspection_target(api, "default", "vm1");
  REQUIRE(t.has_value());
  auto agent = agent_client(*t);
  auto body = agent->get_raw(supervisor_path("default", "vm1", false));
  REQUIRE(body.has_value());
  CHECK(render_report(json::parse(*body)).find("State:   Running") != std::string::npos);

  auto missing = agent->get_raw(supervisor_path("default", "vm2", false));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error() == errc::not_found);
}

TEST_CASE("introspect client: a wrong token is unauthorized, a foreign CA fails verification",
          "[cmd][podvisor][introspect][client]") {
  test::running_server s;
  s.provider.set("default", "vm1", snapshot("Running", 1));
  {
    fakes::fake_api_client api;
    publish(api, s, "not-the-token", s.files.ca_pem);
    auto t = find_introspection_target(api, "default", "vm1");
    REQUIRE(t.has_value());
    auto denied = agent_client(*t)->get_raw(supervisor_path("default", "vm1", false));
    REQUIRE_FALSE(denied.has_value());
    CHECK(denied.error() == errc::unauthorized);
  }
  {
    test::tls_files other; // another CA
    fakes::fake_api_client api;
    publish(api, s, s.files.token, other.ca_pem);
    auto t = find_introspection_target(api, "default", "vm1");
    REQUIRE(t.has_value());
    auto refused = agent_client(*t)->get_raw(supervisor_path("default", "vm1", false));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error() == errc::unavailable);
    CHECK(refused.error().to_string().find("certificate") != std::string::npos);
  }
}

TEST_CASE("introspect client: --watch follows the stream until the supervisor is gone",
          "[cmd][podvisor][introspect][client]") {
  test::running_server s;
  s.provider.set("default", "vm1", snapshot("Starting", 1));
  fakes::fake_api_client api;
  publish(api, s, s.files.token, s.files.ca_pem);
  auto t = find_introspection_target(api, "default", "vm1");
  REQUIRE(t.has_value());
  auto agent = agent_client(*t);

  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> lines;
  std::string buffer;
  error ended;
  bool done = false;
  std::thread reader([&] {
    auto e = agent->stream_raw(supervisor_path("default", "vm1", true), [&](std::string_view data) {
      std::lock_guard lock{mu};
      buffer.append(data);
      std::size_t nl;
      while ((nl = buffer.find('\n')) != std::string::npos) {
        if (nl > 0)
          lines.push_back(buffer.substr(0, nl));
        buffer.erase(0, nl + 1);
      }
      cv.notify_all();
      return true;
    });
    std::lock_guard lock{mu};
    ended = e;
    done = true;
    cv.notify_all();
  });
  REQUIRE(s.provider.wait_for_watchers(1, 10s));
  s.provider.push("default", "vm1", snapshot("Running", 2));
  s.provider.push("default", "vm1", nullptr);
  {
    std::unique_lock lock{mu};
    CHECK(cv.wait_for(lock, 10s, [&] { return done; }));
  }
  reader.join();
  CHECK_FALSE(ended);
  REQUIRE(lines.size() == 2);
  auto update = render_update(json::parse(lines[0]), json::parse(lines[1]));
  CHECK(update == "2026-11-28T15:04:01.000Z  -> S1  (S0 took 100ms)\n");
}
