// rest_client against a bare cpp-httplib server over plain http (allow_insecure_http): the
// exact requests each verb sends, continue-token paging, the token retry after 401,
// keep-alive reuse, transport failures, and every way a watch can end. The same client
// over HTTPS against the real API server is tested in rest_client_integration_test.cpp.

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "kube/client/rest_client.hpp"
#include "tests/kube/client/fake_http_server.hpp"
#include "tests/kube/client/test_support.hpp"

using namespace podvisor;
using namespace podvisor::kube::client;
using podvisor::test::fake_http_server;
using podvisor::test::temp_dir;
using podvisor::test::wait_until;

namespace {

const std::string pod_json = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"}})";

client_config http_config(const fake_http_server& server) {
  client_config c;
  c.server = server.url();
  c.allow_insecure_http = true;
  c.token = "tok";
  c.user_agent = "podvisor-test/1";
  c.request_timeout = std::chrono::seconds(5);
  return c;
}

std::unique_ptr<rest_client> make_client(client_config c) {
  auto client = rest_client::create(std::move(c));
  REQUIRE(client);
  return std::move(*client);
}

void answer_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

std::string status_body(int code, const std::string& reason, const std::string& message) {
  return nlohmann::json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                        {"code", code},     {"reason", reason},   {"message", message}}
    .dump();
}

/// A watch answer sending `chunks` in order (each a separate chunk), then ending the
/// stream, or with `hold_open` keeping it open (blank keep-alive lines every 20 ms, which
/// the parser skips) until the client goes away or the server stops.
httplib::Server::Handler stream(std::vector<std::string> chunks, bool hold_open) {
  return [chunks, hold_open](const httplib::Request&, httplib::Response& res) {
    auto next = std::make_shared<std::size_t>(0);
    res.set_chunked_content_provider("application/json", [chunks, hold_open, next](std::size_t, httplib::DataSink& sink) {
      if (*next < chunks.size()) {
        const auto& c = chunks[(*next)++];
        return sink.write(c.data(), c.size());
      }
      if (!hold_open) {
        sink.done();
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return sink.write("\n", 1);
    });
  };
}

std::string event(const std::string& type, const std::string& name, const std::string& rv) {
  return nlohmann::json{{"type", type},
                        {"object", {{"kind", "Pod"}, {"metadata", {{"name", name}, {"resourceVersion", rv}}}}}}
           .dump()
         + "\n";
}

} // namespace

TEST_CASE("rest_client: each verb sends its method, path, headers and body", "[kube][client]") {
  fake_http_server server([](const httplib::Request& req, httplib::Response& res) {
    answer_json(res, req.method == "POST" ? 201 : 200, pod_json);
  });
  auto client = make_client(http_config(server));
  auto pods = resources::pods();

  auto got = client->get(pods, "default", "p");
  REQUIRE(got);
  CHECK((*got)["metadata"]["name"] == "p");
  auto r = server.last();
  CHECK(r.method == "GET");
  CHECK(r.target == "/api/v1/namespaces/default/pods/p");
  CHECK(r.header("Authorization") == "Bearer tok");
  CHECK(r.header("User-Agent") == "podvisor-test/1");
  CHECK(r.header("Accept") == "application/json");
  CHECK_FALSE(r.headers.count("Accept-Encoding"));

  nlohmann::json obj = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}}}};
  REQUIRE(client->create(pods, "default", obj));
  r = server.last();
  CHECK(r.method == "POST");
  CHECK(r.target == "/api/v1/namespaces/default/pods");
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(nlohmann::json::parse(r.body) == obj);

  obj["metadata"]["namespace"] = "default";
  obj["metadata"]["resourceVersion"] = "12";
  REQUIRE(client->update(pods, obj));
  r = server.last();
  CHECK(r.method == "PUT");
  CHECK(r.target == "/api/v1/namespaces/default/pods/p");
  CHECK(nlohmann::json::parse(r.body)["metadata"]["resourceVersion"] == "12");

  REQUIRE(client->update_status(pods, obj));
  CHECK(server.last().target == "/api/v1/namespaces/default/pods/p/status");

  struct patch_case {
    patch_type type;
    const char* content_type;
  };
  for (auto [type, content_type] : {patch_case{patch_type::merge, "application/merge-patch+json"},
                                    patch_case{patch_type::json, "application/json-patch+json"},
                                    patch_case{patch_type::strategic, "application/strategic-merge-patch+json"}}) {
    REQUIRE(client->patch(pods, "default", "p", type, {{"metadata", {{"labels", {{"a", "b"}}}}}}));
    r = server.last();
    CHECK(r.method == "PATCH");
    CHECK(r.target == "/api/v1/namespaces/default/pods/p");
    CHECK(r.header("Content-Type") == content_type);
  }
  REQUIRE(client->patch(pods, "default", "p", patch_type::merge, {{"status", {{"phase", "Running"}}}}, "status",
                        "podvisor-agent"));
  CHECK(server.last().target == "/api/v1/namespaces/default/pods/p/status?fieldManager=podvisor-agent");

  REQUIRE(client->patch(pods, "default", "p", patch_type::apply, obj, {}, "podvisor-controller"));
  r = server.last();
  CHECK(r.header("Content-Type") == "application/apply-patch+yaml");
  CHECK(r.param("fieldManager") == "podvisor-controller");
  CHECK(r.param("force") == "true");
  CHECK(nlohmann::json::parse(r.body) == obj); // JSON is YAML

  delete_options options;
  options.grace_period_seconds = 0;
  options.propagation_policy = "Foreground";
  options.precondition_uid = "uid-1";
  options.precondition_resource_version = "12";
  REQUIRE(client->remove(pods, "default", "p", options));
  r = server.last();
  CHECK(r.method == "DELETE");
  CHECK(r.target == "/api/v1/namespaces/default/pods/p");
  CHECK(nlohmann::json::parse(r.body)
        == nlohmann::json{{"kind", "DeleteOptions"},
                          {"apiVersion", "v1"},
                          {"gracePeriodSeconds", 0},
                          {"propagationPolicy", "Foreground"},
                          {"preconditions", {{"uid", "uid-1"}, {"resourceVersion", "12"}}}});

  nlohmann::json binding = {{"apiVersion", "v1"},
                            {"kind", "Binding"},
                            {"metadata", {{"name", "p"}, {"namespace", "default"}}},
                            {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "n1"}}}};
  REQUIRE(client->create_subresource(pods, "default", "p", "binding", binding));
  r = server.last();
  CHECK(r.method == "POST");
  CHECK(r.target == "/api/v1/namespaces/default/pods/p/binding");
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(nlohmann::json::parse(r.body) == binding);

  auto raw = client->get_raw("/version");
  REQUIRE(raw);
  CHECK(*raw == pod_json);
  CHECK(server.last().target == "/version");
}

TEST_CASE("rest_client: arguments that cannot make a request fail before sending", "[kube][client]") {
  fake_http_server server([](const httplib::Request&, httplib::Response& res) { answer_json(res, 200, pod_json); });
  auto client = make_client(http_config(server));
  auto pods = resources::pods();
  nlohmann::json no_name = {{"metadata", {{"namespace", "default"}}}};
  nlohmann::json no_ns = {{"metadata", {{"name", "p"}}}};
  nlohmann::json other_ns = {{"metadata", {{"name", "p"}, {"namespace", "b"}}}};
  CHECK(client->get(pods, "", "p").error() == errc::invalid_argument);
  CHECK(client->update(pods, no_name).error() == errc::invalid_argument);
  CHECK(client->update(pods, no_ns).error() == errc::invalid_argument);
  CHECK(client->create(pods, "", no_ns).error() == errc::invalid_argument);
  auto mismatch = client->create(pods, "a", other_ns);
  CHECK(mismatch.error() == errc::invalid_argument);
  CHECK(mismatch.error().to_string().find("create pods b/p") != std::string::npos);
  CHECK(client->create(pods, "default", nlohmann::json::array()).error() == errc::invalid_argument);
  auto apply = client->patch(pods, "default", "p", patch_type::apply, no_ns);
  CHECK(apply.error() == errc::invalid_argument);
  CHECK(apply.error().message.find("field manager") != std::string::npos);
  CHECK(client->get_raw("version").error() == errc::invalid_argument);
  CHECK(server.requests().empty());

  // The object's namespace is used when no namespace is given; cluster-scoped kinds get none.
  REQUIRE(client->create(pods, "", other_ns));
  CHECK(server.last().target == "/api/v1/namespaces/b/pods");
  REQUIRE(client->create(resources::nodes(), "default", other_ns));
  CHECK(server.last().target == "/api/v1/nodes");
}

TEST_CASE("rest_client: a refused binding is a conflict that names the subresource", "[kube][client]") {
  fake_http_server server([](const httplib::Request&, httplib::Response& res) {
    answer_json(res, 409, status_body(409, "Conflict", "pod p is already assigned to node \"n1\""));
  });
  auto client = make_client(http_config(server));
  auto pods = resources::pods();
  auto out = client->create_subresource(pods, "default", "p", "binding", {{"target", {{"name", "n2"}}}});
  REQUIRE_FALSE(out);
  CHECK(out.error().code == errc::conflict);
  CHECK(out.error().to_string().find("create binding of pods default/p") != std::string::npos);
  CHECK(client->create_subresource(pods, "", "p", "binding", nlohmann::json::object()).error().code ==
        errc::invalid_argument);
  CHECK(client->create_subresource(pods, "default", "p", "binding", nlohmann::json::array()).error().code ==
        errc::invalid_argument);
}

TEST_CASE("rest_client: error answers are classified and say what was being done", "[kube][client]") {
  fake_http_server server([](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "GET")
      answer_json(res, 404, status_body(404, "NotFound", "pods \"p\" not found"));
    else if (req.method == "POST")
      answer_json(res, 409, status_body(409, "AlreadyExists", "pods \"p\" already exists"));
    else
      answer_json(res, 200, "this is not json");
  });
  auto client = make_client(http_config(server));
  auto got = client->get(resources::pods(), "default", "p");
  REQUIRE_FALSE(got);
  CHECK(got.error() == errc::not_found);
  CHECK(got.error().to_string() == "get pods default/p: not_found: pods \"p\" not found");
  auto created = client->create(resources::pods(), "default", nlohmann::json::parse(pod_json));
  CHECK(created.error() == errc::already_exists);
  auto patched = client->patch(resources::nodes(), "", "n1", patch_type::merge, nlohmann::json::object());
  CHECK(patched.error() == errc::parse_error);
  CHECK(patched.error().context == "patch nodes n1");
}

TEST_CASE("rest_client: list follows continue tokens and keeps the first page's version", "[kube][client]") {
  fake_http_server server([](const httplib::Request& req, httplib::Response& res) {
    auto token = req.has_param("continue") ? req.get_param_value("continue") : std::string{};
    nlohmann::json page = {{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", {{"resourceVersion", "100"}}}};
    if (token.empty()) {
      page["items"] = {{{"metadata", {{"name", "a"}}}}, {{"metadata", {{"name", "b"}}}}};
      page["metadata"]["continue"] = "t/1";
    } else if (token == "t/1") {
      page["items"] = {{{"metadata", {{"name", "c"}}}}, {{"metadata", {{"name", "d"}}}}};
      page["metadata"]["continue"] = "t2";
      page["metadata"]["resourceVersion"] = "999"; // ignored: the list is as of the first page
    } else {
      page["items"] = {{{"kind", "Pod"}, {"apiVersion", "v1"}, {"metadata", {{"name", "e"}}}}};
    }
    answer_json(res, 200, page.dump());
  });
  auto client = make_client(http_config(server));
  list_options options;
  options.limit = 2;
  options.label_selector = "app=web,tier in (a,b)";
  options.field_selector = "status.phase!=Failed";
  options.resource_version = "0";
  auto list = client->list(resources::pods(), "default", options);
  REQUIRE(list);
  CHECK(list->resource_version == "100");
  REQUIRE(list->items.size() == 5);
  std::string names;
  for (const auto& item : list->items) {
    names += item["metadata"]["name"].get<std::string>();
    CHECK(item["kind"] == "Pod");
    CHECK(item["apiVersion"] == "v1");
  }
  CHECK(names == "abcde");
  auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].target
        == "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29"
           "&fieldSelector=status.phase%21%3DFailed&limit=2&resourceVersion=0");
  CHECK(requests[1].param("continue") == "t/1");
  CHECK(requests[1].param("limit") == "2");
  CHECK(requests[1].param("labelSelector") == "app=web,tier in (a,b)");
  CHECK_FALSE(requests[1].params.count("resourceVersion"));
  CHECK(requests[2].param("continue") == "t2");
}

TEST_CASE("rest_client: list without a limit, null items, and a looping continue token", "[kube][client]") {
  std::atomic<bool> loop{false};
  fake_http_server server([&loop](const httplib::Request&, httplib::Response& res) {
    nlohmann::json page = {{"kind", "PodList"}, {"metadata", {{"resourceVersion", "7"}}}, {"items", nullptr}};
    if (loop)
      page["metadata"]["continue"] = "same";
    answer_json(res, 200, page.dump());
  });
  auto client = make_client(http_config(server));
  list_options options;
  options.limit = 0;
  auto list = client->list(resources::nodes(), "ignored", options);
  REQUIRE(list);
  CHECK(list->items.empty());
  CHECK(list->resource_version == "7");
  CHECK(server.last().target == "/api/v1/nodes");
  loop = true;
  auto looping = client->list(resources::nodes(), "", {});
  REQUIRE_FALSE(looping);
  CHECK(looping.error() == errc::internal);
  CHECK(looping.error().message.find("repeated the continue token") != std::string::npos);
}

TEST_CASE("rest_client: a 401 re-reads the token file and retries once with the new token", "[kube][client]") {
  temp_dir dir;
  auto token_file = dir.write("token", "old-token\n");
  fake_http_server server([&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") == "Bearer new-token") {
      answer_json(res, 200, pod_json);
      return;
    }
    // The token rotates while the request is in flight, as a projected token does.
    dir.write("token", "new-token\n");
    answer_json(res, 401, status_body(401, "Unauthorized", "Unauthorized"));
  });
  auto config = http_config(server);
  config.token_file = token_file;
  auto client = make_client(config);
  REQUIRE(client->get(resources::pods(), "default", "p"));
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].header("Authorization") == "Bearer old-token");
  CHECK(requests[1].header("Authorization") == "Bearer new-token");
}

TEST_CASE("rest_client: a 401 with an unchanged token is not retried", "[kube][client]") {
  temp_dir dir;
  fake_http_server server([](const httplib::Request&, httplib::Response& res) {
    answer_json(res, 401, status_body(401, "Unauthorized", "Unauthorized"));
  });
  auto config = http_config(server);
  config.token_file = dir.write("token", "same");
  auto client = make_client(config);
  auto got = client->get(resources::pods(), "default", "p");
  CHECK(got.error() == errc::unauthorized);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("rest_client: sequential requests reuse one keep-alive connection", "[kube][client]") {
  fake_http_server server([](const httplib::Request&, httplib::Response& res) { answer_json(res, 200, pod_json); });
  auto client = make_client(http_config(server));
  for (int i = 0; i < 5; ++i)
    REQUIRE(client->get(resources::pods(), "default", "p"));
  std::set<std::string> ports;
  for (const auto& r : server.requests())
    ports.insert(r.remote_port);
  CHECK(ports.size() == 1);
}

TEST_CASE("rest_client: concurrent calls from many threads all succeed", "[kube][client]") {
  fake_http_server server([](const httplib::Request&, httplib::Response& res) { answer_json(res, 200, pod_json); });
  auto client = make_client(http_config(server));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i)
        if (client->get(resources::pods(), "default", "p"))
          ++ok;
    });
  for (auto& t : threads)
    t.join();
  CHECK(ok == 120);
  CHECK(server.requests().size() == 120);
}

TEST_CASE("rest_client: a closed port is unavailable, a silent server a timeout", "[kube][client]") {
  SECTION("connection refused") {
    client_config config;
    {
      fake_http_server gone([](const httplib::Request&, httplib::Response&) {});
      config = http_config(gone);
    }
    auto client = make_client(config);
    auto got = client->get(resources::pods(), "default", "p");
    REQUIRE_FALSE(got);
    CHECK(got.error() == errc::unavailable);
    CHECK(got.error().message.find("cannot connect to http://127.0.0.1:") != std::string::npos);
  }
  SECTION("no answer within the request timeout") {
    std::promise<void> release;
    auto released = release.get_future().share();
    fake_http_server server([released](const httplib::Request&, httplib::Response& res) {
      released.wait_for(std::chrono::seconds(10));
      answer_json(res, 200, pod_json);
    });
    auto config = http_config(server);
    config.request_timeout = std::chrono::milliseconds(300);
    auto client = make_client(config);
    auto start = std::chrono::steady_clock::now();
    auto got = client->get(resources::pods(), "default", "p");
    auto took = std::chrono::steady_clock::now() - start;
    release.set_value();
    REQUIRE_FALSE(got);
    CHECK(got.error() == errc::timeout);
    CHECK(took < std::chrono::seconds(3));
  }
}

TEST_CASE("rest_client: plain http and bad settings are refused at creation", "[kube][client]") {
  client_config c;
  c.server = "http://127.0.0.1:1";
  auto r = rest_client::create(c);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::invalid_argument);
  CHECK(r.error().message.find("plain http is refused") != std::string::npos);
  c.server = "127.0.0.1:6443";
  CHECK(rest_client::create(c).error() == errc::invalid_argument);
  c.server = "https://127.0.0.1:6443";
  c.ca_pem = "not a certificate";
  auto bad_ca = rest_client::create(c);
  CHECK(bad_ca.error() == errc::parse_error);
  CHECK(bad_ca.error().message.find("certificate authority") != std::string::npos);
  c.ca_pem = test::read_file(test::kubeconfig_fixtures() / "ca.crt");
  c.client_cert_pem = test::read_file(test::kubeconfig_fixtures() / "client.crt");
  c.client_key_pem = test::read_file(test::kubeconfig_fixtures() / "other.key");
  auto mismatch = rest_client::create(c);
  CHECK(mismatch.error() == errc::invalid_argument);
  CHECK(mismatch.error().message.find("does not belong") != std::string::npos);
  c.client_key_pem = test::read_file(test::kubeconfig_fixtures() / "client.key");
  CHECK(rest_client::create(c));
  c.insecure_skip_tls_verify = true;
  CHECK(rest_client::create(c).error() == errc::invalid_argument);
  c.ca_pem.clear();
  c.token_file = "/nonexistent/token";
  auto no_token = rest_client::create(c);
  CHECK(no_token.error().message.find("/nonexistent/token") != std::string::npos);
}

TEST_CASE("watch: events in order across odd chunk boundaries, then the stream ends", "[kube][client]") {
  auto body = event("ADDED", "a", "5") + event("MODIFIED", "a", "6")
              + R"({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"8"}}})" "\n"
              + event("DELETED", "a", "9");
  fake_http_server server(stream({body.substr(0, 3), body.substr(3, 90), body.substr(93)}, false));
  auto client = make_client(http_config(server));
  watch_options options;
  options.resource_version = "4";
  options.timeout_seconds = 30;
  options.label_selector = "app=web";
  options.field_selector = "metadata.name=a";
  std::vector<std::string> seen;
  auto e = client->watch(resources::pods(), "default", options, [&](watch_event& ev) {
    seen.push_back(std::string(to_string(ev.type)) + " " + ev.object["metadata"]["resourceVersion"].get<std::string>());
    return true;
  });
  CHECK(e.ok());
  CHECK(seen == std::vector<std::string>{"ADDED 5", "MODIFIED 6", "BOOKMARK 8", "DELETED 9"});
  auto r = server.last();
  CHECK(r.target
        == "/api/v1/namespaces/default/pods?watch=1&resourceVersion=4&allowWatchBookmarks=true&timeoutSeconds=30"
           "&labelSelector=app%3Dweb&fieldSelector=metadata.name%3Da");
  CHECK(r.header("Authorization") == "Bearer tok");
  CHECK_FALSE(r.headers.count("Accept-Encoding"));
}

TEST_CASE("watch: an ERROR event is passed on, then ends the watch (410 → gone)", "[kube][client]") {
  auto error_event = R"J({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (108)","reason":"Expired","code":410}})J" "\n";
  fake_http_server server(stream({event("ADDED", "a", "5") + error_event}, true));
  auto client = make_client(http_config(server));
  std::vector<watch_event::kind> kinds;
  auto e = client->watch(resources::pods(), "", {}, [&](watch_event& ev) {
    kinds.push_back(ev.type);
    return true;
  });
  CHECK(e == errc::gone);
  CHECK(e.to_string() == "watch pods in all namespaces: gone: too old resource version: 5 (108)");
  CHECK(kinds == std::vector<watch_event::kind>{watch_event::kind::added, watch_event::kind::error});
}

TEST_CASE("watch: on_event returning false ends it without error", "[kube][client]") {
  fake_http_server server(stream({event("ADDED", "a", "5") + event("ADDED", "b", "6")}, true));
  auto client = make_client(http_config(server));
  int calls = 0;
  auto e = client->watch(resources::pods(), "default", {}, [&](watch_event&) {
    ++calls;
    return false;
  });
  CHECK(e.ok());
  CHECK(calls == 1);
}

TEST_CASE("watch: cancel from another thread ends a blocked watch promptly", "[kube][client]") {
  fake_http_server server(stream({event("ADDED", "a", "5")}, true));
  auto client = make_client(http_config(server));
  watch_handle handle;
  std::atomic<bool> got_event{false};
  auto watching = std::async(std::launch::async, [&] {
    return client->watch(resources::pods(), "default", {}, [&](watch_event&) {
      got_event = true;
      return true;
    }, &handle);
  });
  REQUIRE(wait_until([&] { return got_event.load(); }));
  auto start = std::chrono::steady_clock::now();
  handle.cancel();
  REQUIRE(watching.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(watching.get() == errc::cancelled);
  // A cancelled handle ends a later watch at once, without a request.
  auto requests = server.requests().size();
  CHECK(client->watch(resources::pods(), "default", {}, [](watch_event&) { return true; }, &handle) == errc::cancelled);
  CHECK(server.requests().size() == requests);
}

TEST_CASE("watch: no byte for the idle timeout is errc::timeout", "[kube][client]") {
  std::promise<void> release;
  auto released = release.get_future().share();
  fake_http_server server([released](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/json", [released](std::size_t, httplib::DataSink& sink) {
      // Nothing to send until the test is over.
      if (released.wait_for(std::chrono::milliseconds(20)) == std::future_status::ready) {
        sink.done();
        return true;
      }
      return true;
    });
  });
  auto config = http_config(server);
  config.watch_idle_timeout = std::chrono::milliseconds(400);
  auto client = make_client(config);
  auto start = std::chrono::steady_clock::now();
  auto e = client->watch(resources::pods(), "default", {}, [](watch_event&) { return true; });
  auto took = std::chrono::steady_clock::now() - start;
  release.set_value();
  CHECK(e == errc::timeout);
  CHECK(e.message.find("no data") != std::string::npos);
  CHECK(took >= std::chrono::milliseconds(350));
  CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("watch: an HTTP error answer is classified", "[kube][client]") {
  fake_http_server server([](const httplib::Request&, httplib::Response& res) {
    answer_json(res, 403, status_body(403, "Forbidden", "pods is forbidden: User \"x\" cannot watch resource \"pods\""));
  });
  auto client = make_client(http_config(server));
  auto e = client->watch(resources::pods(), "default", {}, [](watch_event&) { return true; });
  CHECK(e == errc::forbidden);
  CHECK(e.context == "watch pods in default");
  CHECK(e.message.find("cannot watch") != std::string::npos);
}

TEST_CASE("watch: a stream cut inside an event, and a malformed line", "[kube][client]") {
  SECTION("cut") {
    fake_http_server server(stream({event("ADDED", "a", "5") + R"({"type":"MODI)"}, false));
    auto client = make_client(http_config(server));
    int calls = 0;
    auto e = client->watch(resources::pods(), "default", {}, [&](watch_event&) {
      ++calls;
      return true;
    });
    CHECK(calls == 1);
    CHECK(e == errc::unavailable);
    CHECK(e.message.find("middle of an event") != std::string::npos);
  }
  SECTION("malformed") {
    fake_http_server server(stream({event("ADDED", "a", "5") + "<html>oops</html>\n"}, true));
    auto client = make_client(http_config(server));
    int calls = 0;
    auto e = client->watch(resources::pods(), "default", {}, [&](watch_event&) {
      ++calls;
      return true;
    });
    CHECK(calls == 1);
    CHECK(e == errc::parse_error);
    CHECK(e.message.find("watch event 2") != std::string::npos);
  }
}
