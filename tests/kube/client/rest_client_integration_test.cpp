// rest_client against the real embedded API server over HTTPS, configured from the
// kubeconfigs it writes: CRUD, optimistic concurrency, errors, selectors and paging,
// watches (events, bookmarks, expiry, cancel), authorization and TLS verification.

#include <atomic>
#include <chrono>
#include <future>
#include <cstdio>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "kube/client/errors.hpp"
#include "tests/kube/client/server_fixture.hpp"

using namespace podvisor;
using namespace podvisor::kube::client;
using podvisor::test::config_map;
using podvisor::test::server_fixture;
using podvisor::test::wait_until;

namespace {

/// Collects a watch's events on a background thread until cancelled.
class background_watch {
public:
  background_watch(rest_client& client, resource_ref r, std::string ns, watch_options options) {
    result_ = std::async(std::launch::async, [this, &client, r = std::move(r), ns = std::move(ns), options] {
      return client.watch(r, ns, options, [this](watch_event& ev) {
        std::lock_guard lock{mu_};
        events_.push_back(ev);
        return true;
      }, &handle_);
    });
  }
  ~background_watch() {
    handle_.cancel();
    if (result_.valid())
      result_.wait();
  }

  std::vector<watch_event> events() {
    std::lock_guard lock{mu_};
    return events_;
  }
  /// Whether an event of `type` for object `name` arrived.
  bool saw(watch_event::kind type, const std::string& name = {}) {
    std::lock_guard lock{mu_};
    for (const auto& ev : events_)
      if (ev.type == type && (name.empty() || ev.object["metadata"].value("name", "") == name))
        return true;
    return false;
  }
  /// Cancels and returns how the watch ended.
  error stop() {
    handle_.cancel();
    return result_.get();
  }

private:
  watch_handle handle_;
  std::mutex mu_;
  std::vector<watch_event> events_;
  std::future<error> result_;
};

} // namespace

TEST_CASE("integration: VMI create, get, update, update_status, patches, delete", "[kube][client][integration]") {
  server_fixture f;
  auto client = f.client();
  auto vmis = resources::virtual_machine_instances();

  auto created = client->create(vmis, "default", test::vmi("web-1"));
  REQUIRE(created);
  CHECK((*created)["metadata"]["uid"].is_string());
  auto rv = (*created)["metadata"]["resourceVersion"].get<std::string>();

  auto got = client->get(vmis, "default", "web-1");
  REQUIRE(got);
  CHECK((*got)["metadata"]["resourceVersion"] == rv);
  CHECK((*got)["kind"] == "VirtualMachineInstance");

  auto changed = *got;
  changed["metadata"]["labels"]["tier"] = "front";
  auto updated = client->update(vmis, changed);
  REQUIRE(updated);
  CHECK((*updated)["metadata"]["labels"]["tier"] == "front");
  CHECK((*updated)["metadata"]["resourceVersion"] != rv);

  auto with_status = *updated;
  with_status["status"] = {{"phase", "Scheduling"}};
  auto status = client->update_status(vmis, with_status);
  REQUIRE(status);
  CHECK((*status)["status"]["phase"] == "Scheduling");

  auto merged = client->patch(vmis, "default", "web-1", patch_type::merge, {{"metadata", {{"labels", {{"m", "1"}}}}}});
  REQUIRE(merged);
  CHECK((*merged)["metadata"]["labels"]["m"] == "1");
  auto json_patched = client->patch(vmis, "default", "web-1", patch_type::json,
                                    nlohmann::json::array({{{"op", "add"}, {"path", "/metadata/annotations"},
                                                            {"value", {{"a", "b"}}}}}));
  REQUIRE(json_patched);
  CHECK((*json_patched)["metadata"]["annotations"]["a"] == "b");
  auto status_patched = client->patch(vmis, "default", "web-1", patch_type::merge, {{"status", {{"phase", "Scheduled"}}}},
                                      "status");
  REQUIRE(status_patched);
  CHECK((*status_patched)["status"]["phase"] == "Scheduled");

  nlohmann::json applied_obj = test::vmi("web-1");
  applied_obj["metadata"]["labels"]["applied"] = "yes";
  auto applied = client->patch(vmis, "default", "web-1", patch_type::apply, applied_obj, {}, "podvisor-test");
  REQUIRE(applied);
  CHECK((*applied)["metadata"]["labels"]["applied"] == "yes");

  // Custom kinds take no strategic merge patch, as on kube-apiserver.
  auto strategic = client->patch(vmis, "default", "web-1", patch_type::strategic, {{"metadata", nlohmann::json::object()}});
  REQUIRE_FALSE(strategic);
  CHECK(strategic.error() == errc::unsupported);

  auto removed = client->remove(vmis, "default", "web-1", {});
  REQUIRE(removed);
  auto gone = client->get(vmis, "default", "web-1");
  REQUIRE_FALSE(gone);
  CHECK(gone.error() == errc::not_found);
}

TEST_CASE("integration: pod CRUD with a strategic merge patch and delete options", "[kube][client][integration]") {
  server_fixture f;
  auto client = f.client();
  auto pods = resources::pods();
  REQUIRE(client->create(pods, "default", test::pod("p1")));
  auto patched = client->patch(pods, "default", "p1", patch_type::strategic, {{"metadata", {{"labels", {{"s", "1"}}}}}});
  REQUIRE(patched);
  CHECK((*patched)["metadata"]["labels"]["s"] == "1");
  CHECK((*patched)["metadata"]["labels"]["app"] == "web");
  auto pod = *patched;
  pod["status"] = {{"phase", "Running"}};
  auto status = client->update_status(pods, pod);
  REQUIRE(status);
  CHECK((*status)["status"]["phase"] == "Running");

  delete_options wrong_uid;
  wrong_uid.precondition_uid = "not-the-uid";
  auto refused = client->remove(pods, "default", "p1", wrong_uid);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == errc::conflict);

  delete_options options;
  options.grace_period_seconds = 0;
  options.propagation_policy = "Background";
  options.precondition_uid = (*status)["metadata"]["uid"].get<std::string>();
  REQUIRE(client->remove(pods, "default", "p1", options));
  CHECK(client->get(pods, "default", "p1").error() == errc::not_found);
}

TEST_CASE("integration: a stale update is a conflict; a duplicate create already_exists", "[kube][client][integration]") {
  server_fixture f;
  auto client = f.client();
  auto vmis = resources::virtual_machine_instances();
  auto created = client->create(vmis, "default", test::vmi("c"));
  REQUIRE(created);
  auto first = *created;
  first["metadata"]["labels"]["v"] = "1";
  REQUIRE(client->update(vmis, first));
  auto stale = *created;
  stale["metadata"]["labels"]["v"] = "2";
  auto conflict = client->update(vmis, stale);
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error() == errc::conflict);
  CHECK(conflict.error().context == "update virtualmachineinstances default/c");
  CHECK(conflict.error().message.find("the object has been modified") != std::string::npos);

  auto duplicate = client->create(vmis, "default", test::vmi("c"));
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error() == errc::already_exists);
}

TEST_CASE("integration: a missing object is not_found, naming what was asked", "[kube][client][integration]") {
  server_fixture f;
  auto client = f.client();
  auto got = client->get(resources::virtual_machine_instances(), "default", "missing");
  REQUIRE_FALSE(got);
  CHECK(got.error() == errc::not_found);
  CHECK(got.error().to_string().find("get virtualmachineinstances default/missing: not_found: ") == 0);
  auto in_missing_ns = client->create(resources::config_maps(), "nowhere", config_map("x", "a"));
  CHECK(in_missing_ns.error() == errc::not_found);
}

TEST_CASE("integration: an invalid VMI is invalid_argument with every cause in the message", "[kube][client][integration]") {
  server_fixture f;
  auto client = f.client();
  auto bad = test::vmi("bad");
  bad["spec"]["domain"]["cpu"] = {{"cores", 0}};
  bad["spec"]["domain"]["devices"]["disks"] = {{{"name", "no-such-volume"}, {"disk", {{"bus", "floppy"}}}}};
  auto created = client->create(resources::virtual_machine_instances(), "default", bad);
  REQUIRE_FALSE(created);
  CHECK(created.error() == errc::invalid_argument);
  // The causes as the server reports them, read in-process.
  auto [status, body] = f.server().request("POST", "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances",
                                           bad.dump());
  REQUIRE(status == 422);
  auto parsed = parse_status(body, status);
  REQUIRE(parsed.causes.size() >= 2);
  for (const auto& cause : parsed.causes) {
    INFO(cause.field << ": " << cause.message);
    CHECK(created.error().message.find(cause.field + ": " + cause.message) != std::string::npos);
  }
}

TEST_CASE("integration: list with label and field selectors, and a page size", "[kube][client][integration]") {
  server_fixture f;
  auto client = f.client();
  auto cms = resources::config_maps();
  for (int i = 0; i < 5; ++i)
    REQUIRE(client->create(cms, "default", config_map("cm-" + std::to_string(i), i % 2 == 0 ? "even" : "odd")));

  list_options paged;
  paged.limit = 2;
  paged.label_selector = "group";
  auto all = client->list(cms, "default", paged);
  REQUIRE(all);
  CHECK(all->items.size() == 5);
  CHECK_FALSE(all->resource_version.empty());
  for (const auto& item : all->items)
    CHECK(item["kind"] == "ConfigMap");

  list_options even;
  even.label_selector = "group in (even)";
  auto evens = client->list(cms, "default", even);
  REQUIRE(evens);
  CHECK(evens->items.size() == 3);

  list_options by_name;
  by_name.field_selector = "metadata.name=cm-3";
  auto one = client->list(cms, "default", by_name);
  REQUIRE(one);
  REQUIRE(one->items.size() == 1);
  CHECK(one->items[0]["metadata"]["name"] == "cm-3");

  list_options bad_field;
  bad_field.field_selector = "data.value=1";
  CHECK(client->list(cms, "default", bad_field).error() == errc::invalid_argument);

  auto everywhere = client->list(resources::namespaces(), "", {});
  REQUIRE(everywhere);
  CHECK(everywhere->items.size() >= 4);
}

TEST_CASE("integration: a watch sees ADDED, MODIFIED, DELETED and a BOOKMARK", "[kube][client][integration]") {
  server_fixture f;
  auto client = f.client();
  auto cms = resources::config_maps();
  auto start = client->list(cms, "default", {});
  REQUIRE(start);
  watch_options options;
  options.resource_version = start->resource_version;
  options.allow_bookmarks = true;
  background_watch w(*client, cms, "default", options);

  auto created = client->create(cms, "default", config_map("watched", "a"));
  REQUIRE(created);
  auto changed = *created;
  changed["data"]["value"] = "2";
  REQUIRE(client->update(cms, changed));
  REQUIRE(client->remove(cms, "default", "watched", {}));

  REQUIRE(wait_until([&] { return w.saw(watch_event::kind::deleted, "watched"); }));
  // The server sends a bookmark after 5 s without events.
  REQUIRE(wait_until([&] { return w.saw(watch_event::kind::bookmark); }, std::chrono::seconds(20)));
  CHECK(w.stop() == errc::cancelled);

  std::vector<watch_event::kind> kinds;
  for (const auto& ev : w.events())
    if (ev.type != watch_event::kind::bookmark)
      kinds.push_back(ev.type);
  CHECK(kinds
        == std::vector<watch_event::kind>{watch_event::kind::added, watch_event::kind::modified,
                                          watch_event::kind::deleted});
  for (const auto& ev : w.events())
    if (ev.type == watch_event::kind::bookmark)
      CHECK_FALSE(ev.object["metadata"]["resourceVersion"].get<std::string>().empty());
}

TEST_CASE("integration: a watch from resourceVersion 0 replays the current state", "[kube][client][integration]") {
  server_fixture f;
  auto client = f.client();
  auto cms = resources::config_maps();
  REQUIRE(client->create(cms, "default", config_map("one", "a")));
  REQUIRE(client->create(cms, "default", config_map("two", "b")));
  watch_options options;
  options.resource_version = "0";
  options.label_selector = "group=b";
  std::vector<std::string> names;
  auto e = client->watch(cms, "default", options, [&](watch_event& ev) {
    names.push_back(ev.object["metadata"]["name"]);
    return false; // one is enough
  });
  CHECK(e.ok());
  CHECK(names == std::vector<std::string>{"two"});
}

TEST_CASE("integration: a watch from an expired resourceVersion ends with gone", "[kube][client][integration]") {
  server_fixture f(5);
  auto client = f.client();
  auto cms = resources::config_maps();
  auto first = client->create(cms, "default", config_map("old", "a"));
  REQUIRE(first);
  auto old_rv = (*first)["metadata"]["resourceVersion"].get<std::string>();
  for (int i = 0; i < 20; ++i)
    REQUIRE(client->create(cms, "default", config_map("newer-" + std::to_string(i), "a")));
  watch_options options;
  options.resource_version = old_rv;
  std::vector<watch_event::kind> kinds;
  auto e = client->watch(cms, "default", options, [&](watch_event& ev) {
    kinds.push_back(ev.type);
    return true;
  });
  CHECK(e == errc::gone);
  CHECK_FALSE(e.message.empty());
  CHECK(kinds.back() == watch_event::kind::error);
}

TEST_CASE("integration: cancel from another thread ends a blocked watch within a second or two",
          "[kube][client][integration]") {
  server_fixture f;
  auto client = f.client();
  auto cms = resources::config_maps();
  REQUIRE(client->create(cms, "default", config_map("present", "a")));
  // From "" the server first sends the current state: the ADDED event shows that the
  // watch is connected and now blocked reading a stream with nothing more to come.
  watch_options options;
  options.allow_bookmarks = false;
  watch_handle handle;
  std::atomic<bool> got_event{false};
  auto watching = std::async(std::launch::async, [&] {
    return client->watch(cms, "default", options, [&](watch_event&) {
      got_event = true;
      return true;
    }, &handle);
  });
  REQUIRE(wait_until([&] { return got_event.load(); }));
  auto before = std::chrono::steady_clock::now();
  handle.cancel();
  REQUIRE(watching.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(2));
  CHECK(watching.get() == errc::cancelled);
  // The client is still usable: the watch had a connection of its own.
  CHECK(client->get(cms, "default", "present"));
}

TEST_CASE("integration: the viewer may read but not create", "[kube][client][integration]") {
  server_fixture f;
  auto viewer = f.client("viewer");
  REQUIRE(viewer->list(resources::virtual_machine_instances(), "default", {}));
  auto created = viewer->create(resources::virtual_machine_instances(), "default", test::vmi("nope"));
  REQUIRE_FALSE(created);
  CHECK(created.error() == errc::forbidden);
  CHECK(created.error().message.find("podvisor-viewer") != std::string::npos);
}

TEST_CASE("integration: an unknown token is unauthorized", "[kube][client][integration]") {
  server_fixture f;
  auto config = f.config();
  config.token = "not-a-known-token";
  auto client = server_fixture::client_from(config);
  auto got = client->list(resources::pods(), "default", {});
  REQUIRE_FALSE(got);
  CHECK(got.error() == errc::unauthorized);
}

TEST_CASE("integration: a server certificate from another CA is refused as unavailable, saying why",
          "[kube][client][integration]") {
  server_fixture f;
  auto config = f.config();
  config.ca_pem = test::read_file(test::kubeconfig_fixtures() / "ca.crt");
  auto client = server_fixture::client_from(config);
  auto got = client->get(resources::pods(), "default", "p");
  REQUIRE_FALSE(got);
  CHECK(got.error() == errc::unavailable);
  INFO(got.error().to_string());
  CHECK(got.error().message.find("TLS handshake with https://127.0.0.1:") != std::string::npos);
  CHECK(got.error().message.find("not trusted") != std::string::npos);
  CHECK(got.error().message.find("certificate authority") != std::string::npos);
  // The watch path reports it the same way.
  auto e = client->watch(resources::pods(), "default", {}, [](watch_event&) { return true; });
  CHECK(e == errc::unavailable);
  CHECK(e.message.find("not trusted") != std::string::npos);
}

TEST_CASE("integration: in-cluster configuration with a service-account directory", "[kube][client][integration]") {
  server_fixture f;
  auto admin = f.config();
  test::temp_dir sa;
  sa.write("token", admin.token + "\n");
  sa.write("ca.crt", admin.ca_pem);
  sa.write("namespace", "default");
  auto port = admin.server.substr(admin.server.rfind(':') + 1);
  test::scoped_env host("KUBERNETES_SERVICE_HOST", "127.0.0.1");
  test::scoped_env port_env("KUBERNETES_SERVICE_PORT", port);
  auto config = load_in_cluster(sa.path());
  REQUIRE(config);
  auto client = server_fixture::client_from(*config);
  auto namespaces = client->list(resources::namespaces(), "", {});
  REQUIRE(namespaces);
  CHECK(namespaces->items.size() >= 4);
  auto version = client->get_raw("/version");
  REQUIRE(version);
  CHECK(version->find("gitVersion") != std::string::npos);
}

TEST_CASE("the API server listens with a backlog for bursts of new connections", "[kube][client][integration]") {
  // cpp-httplib's own backlog is 5; a burst of connects beyond it loses SYNs, and each
  // lost one costs its client a 1 s retransmit. `ss` shows a listener's backlog as Send-Q.
  server_fixture f;
  const auto port = std::to_string(f.server().port());
  std::string out;
  {
    std::unique_ptr<FILE, int (*)(FILE*)> ss{::popen(("ss -Hltn 'sport = :" + port + "'").c_str(), "r"), ::pclose};
    REQUIRE(ss != nullptr);
    char buf[512];
    while (std::fgets(buf, sizeof buf, ss.get()) != nullptr)
      out += buf;
  }
  INFO(out);
  std::istringstream line{out};
  std::string state;
  long recv_q = -1, send_q = -1;
  line >> state >> recv_q >> send_q;
  CHECK(state == "LISTEN");
  CHECK(send_q >= 128);
}
