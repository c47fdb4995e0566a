#include "introspect/server.hpp"

#include <future>
#include <thread>

#include <catch2/catch_test_macros.hpp>

#include "introspect/prometheus_text.hpp"
#include "tests/introspect/server_fixture.hpp"

using namespace podvisor;
using namespace podvisor::test;
using namespace std::chrono_literals;

namespace {

nlohmann::json snapshot(const std::string& state) {
  return {{"namespace", "default"}, {"name", "vm1"}, {"state", state}, {"timeline", nlohmann::json::array()}};
}

/// A watch stream read on its own thread; lines collected as they arrive.
class stream_reader {
public:
  stream_reader(const running_server& s, std::string path) : client_(s.client()) {
    thread_ = std::thread([this, path] {
      auto res = client_->Get(path, [this](const char* data, std::size_t size) {
        std::lock_guard lock{mu_};
        buffer_.append(data, size);
        std::size_t nl;
        while ((nl = buffer_.find('\n')) != std::string::npos) {
          auto line = buffer_.substr(0, nl);
          buffer_.erase(0, nl + 1);
          if (!line.empty())
            lines_.push_back(nlohmann::json::parse(line));
          else
            ++heartbeats_;
        }
        cv_.notify_all();
        return true;
      });
      std::lock_guard lock{mu_};
      status_ = res ? res->status : -1;
      content_type_ = res ? res->get_header_value("Content-Type") : "";
      ended_ = true;
      cv_.notify_all();
    });
  }
  ~stream_reader() {
    client_->stop();
    thread_.join();
  }
  bool wait_for_lines(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock{mu_};
    return cv_.wait_for(lock, timeout, [&] { return lines_.size() >= n; });
  }
  bool wait_for_heartbeats(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock{mu_};
    return cv_.wait_for(lock, timeout, [&] { return heartbeats_ >= n; });
  }
  bool wait_for_end(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock{mu_};
    return cv_.wait_for(lock, timeout, [&] { return ended_; });
  }
  std::vector<nlohmann::json> lines() {
    std::lock_guard lock{mu_};
    return lines_;
  }
  int status() {
    std::lock_guard lock{mu_};
    return status_;
  }
  std::string content_type() {
    std::lock_guard lock{mu_};
    return content_type_;
  }

private:
  std::unique_ptr<httplib::SSLClient> client_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string buffer_;
  std::vector<nlohmann::json> lines_;
  int status_ = 0;
  std::string content_type_;
  bool ended_ = false;
  std::size_t heartbeats_ = 0;
};

} // namespace

TEST_CASE("introspection server: every route needs the bearer token", "[introspect][server]") {
  running_server s;
  auto anonymous = s.client("")->Get("/healthz");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(anonymous->get_header_value("WWW-Authenticate") == "Bearer");
  CHECK(nlohmann::json::parse(anonymous->body).at("code") == 401);

  auto wrong = s.client("test-token-012345678")->Get("/v1/supervisors");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  CHECK(wrong->body.find("items") == std::string::npos);

  auto ok = s.client()->Get("/healthz");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(ok->body == "ok\n");
}

TEST_CASE("introspection server: read-only, 405 for other methods after authentication", "[introspect][server]") {
  running_server s;
  auto post = s.client()->Post("/v1/supervisors", "{}", "application/json");
  REQUIRE(post);
  CHECK(post->status == 405);
  CHECK(post->get_header_value("Allow") == "GET");
  auto del = s.client()->Delete("/v1/supervisors/default/vm1");
  REQUIRE(del);
  CHECK(del->status == 405);
  auto anonymous_put = s.client("")->Put("/metrics", "x", "text/plain");
  REQUIRE(anonymous_put);
  CHECK(anonymous_put->status == 401);
  auto head = s.client()->Head("/healthz");
  REQUIRE(head);
  CHECK(head->status == 405);
}

TEST_CASE("introspection server: supervisors list, one, 404 and 400", "[introspect][server]") {
  running_server s;
  s.provider.set("default", "vm1", snapshot("Running"));
  s.provider.set("other", "vm2", snapshot("WiringNetwork"));
  auto c = s.client();

  auto list = c->Get("/v1/supervisors");
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK(list->get_header_value("Content-Type") == "application/json");
  auto items = nlohmann::json::parse(list->body).at("items");
  REQUIRE(items.size() == 2);

  auto one = c->Get("/v1/supervisors/default/vm1");
  REQUIRE(one);
  CHECK(one->status == 200);
  CHECK(nlohmann::json::parse(one->body) == snapshot("Running"));

  auto missing = c->Get("/v1/supervisors/default/nope");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(nlohmann::json::parse(missing->body).at("message").get<std::string>().find("default/nope") !=
        std::string::npos);
  auto unknown = c->Get("/v1/things");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  auto bad = c->Get("/v1/supervisors/Default/vm1");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  auto bad_query = c->Get("/v1/supervisors/default/vm1?watch=maybe");
  REQUIRE(bad_query);
  CHECK(bad_query->status == 400);
}

TEST_CASE("introspection server: metrics in Prometheus text", "[introspect][server]") {
  running_server s;
  auto res = s.client()->Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == std::string(introspect::prometheus_text::content_type));
  CHECK(res->body == "# TYPE up gauge\nup 1\n");
}

TEST_CASE("introspection server: a watch streams the snapshot, then each pushed one, and ends with the supervisor",
          "[introspect][server][watch]") {
  running_server s;
  s.provider.set("default", "vm1", snapshot("Starting"));
  stream_reader reader(s, "/v1/supervisors/default/vm1?watch=true");
  REQUIRE(reader.wait_for_lines(1));
  REQUIRE(s.provider.wait_for_watchers(1, 10s));
  s.provider.push("default", "vm1", snapshot("WiringNetwork"));
  s.provider.push("default", "vm1", snapshot("Running"));
  REQUIRE(reader.wait_for_lines(3));
  auto lines = reader.lines();
  CHECK(lines[0].at("state") == "Starting");
  CHECK(lines[1].at("state") == "WiringNetwork");
  CHECK(lines[2].at("state") == "Running");

  s.provider.push("default", "vm1", nullptr); // the supervisor is gone
  REQUIRE(reader.wait_for_end());
  CHECK(reader.status() == 200);
  CHECK(reader.content_type() == "application/x-ndjson");
  CHECK(s.provider.wait_for_no_watchers(10s)); // the subscription was released

  auto missing = s.client()->Get("/v1/supervisors/default/vm1?watch=true");
  REQUIRE(missing);
  CHECK(missing->status == 404);
}

TEST_CASE("introspection server: watches beyond max_streams get 429", "[introspect][server][watch]") {
  introspect::server_options options;
  options.max_connections = 4;
  options.max_streams = 1;
  running_server s(options);
  s.provider.set("default", "vm1", snapshot("Running"));
  stream_reader first(s, "/v1/supervisors/default/vm1?watch=true");
  REQUIRE(first.wait_for_lines(1));
  auto second = s.client()->Get("/v1/supervisors/default/vm1?watch=true");
  REQUIRE(second);
  CHECK(second->status == 429);
  CHECK(second->get_header_value("Retry-After") == "1");
}

TEST_CASE("introspection server: bad requests get 4xx and the server keeps serving", "[introspect][server][limits]") {
  running_server s;
  auto garbage = raw_tls_exchange(s.server.port(), "\x01\x02 not http at all\r\n\r\n");
  CHECK(garbage.rfind("HTTP/1.1 400", 0) == 0);
  auto long_uri = raw_tls_exchange(s.server.port(), "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(long_uri.rfind("HTTP/1.1 414", 0) == 0);
  auto long_header = raw_tls_exchange(s.server.port(),
                                      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'b') + "\r\n\r\n");
  CHECK(long_header.rfind("HTTP/1.1 400", 0) == 0);
  auto unknown_method = raw_tls_exchange(s.server.port(), "BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(unknown_method.rfind("HTTP/1.1 400", 0) == 0);
  auto get_with_body = raw_tls_exchange(s.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                                                           + s.files.token + "\r\nContent-Length: 3\r\n\r\nabc");
  CHECK(get_with_body.rfind("HTTP/1.1 400", 0) == 0);
  auto ok = s.client()->Get("/healthz");
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("introspection server: connections beyond max_connections + max_pending are refused at the handshake",
          "[introspect][server][limits]") {
  introspect::server_options options;
  options.max_connections = 2;
  options.max_streams = 1;
  options.max_pending = 0;
  running_server s(options);
  s.provider.set("default", "vm1", snapshot("Running"));
  stream_reader stream(s, "/v1/supervisors/default/vm1?watch=true"); // holds worker 1
  REQUIRE(stream.wait_for_lines(1));
  // Worker 2 serves a connection that sends nothing (held in a read). Its handshake
  // completing means a worker holds it; it could only have been refused if it raced with
  // another connection, and there is none.
  idle_tls_connection holder(s.server.port());
  REQUIRE(holder.handshake_ok());
  bool handshake = true;
  raw_tls_exchange(s.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &handshake);
  CHECK_FALSE(handshake);
}

TEST_CASE("introspection server: stop with an open stream and an idle keep-alive connection returns promptly",
          "[introspect][server][watch]") {
  introspect::server_options options;
  // Timeouts far beyond the wait below: a stop that waited for them would fail the test.
  options.read_timeout = 120s;
  options.write_timeout = 120s;
  options.keep_alive_timeout = 120s;
  options.heartbeat_interval = 120s;
  running_server s(options);
  s.provider.set("default", "vm1", snapshot("Running"));
  stream_reader stream(s, "/v1/supervisors/default/vm1?watch=true");
  REQUIRE(stream.wait_for_lines(1));
  auto idle = s.client();
  idle->set_keep_alive(true);
  auto first = idle->Get("/healthz");
  REQUIRE(first);
  REQUIRE(first->status == 200);

  auto stopped = std::async(std::launch::async, [&] { s.server.stop(); });
  REQUIRE(stopped.wait_for(30s) == std::future_status::ready);
  CHECK(stream.wait_for_end());
  CHECK(s.provider.watchers() == 0); // stop() joined every worker: releasers have run
}

TEST_CASE("introspection server: start refuses a bad certificate, key or token file", "[introspect][server]") {
  tls_files files;
  fake_provider provider;
  introspect::server_options options;
  options.port = 0;
  options.cert_file = files.cert_file;
  options.key_file = files.key_file;
  options.token_file = files.dir.path() / "missing-token";
  {
    introspect::introspection_server server(provider, options);
    auto e = server.start();
    CHECK(e == errc::not_found);
    CHECK(e.to_string().find("missing-token") != std::string::npos);
  }
  options.token_file = files.token_file;
  options.key_file = files.ca_file; // not a key
  {
    introspect::introspection_server server(provider, options);
    auto e = server.start();
    CHECK(e == errc::invalid_argument);
    CHECK(e.to_string().find("key") != std::string::npos);
  }
  options.key_file = files.key_file;
  options.max_streams = options.max_connections;
  {
    introspect::introspection_server server(provider, options);
    CHECK(server.start() == errc::invalid_argument);
  }
}

TEST_CASE("introspection server: a connection that sends no request is closed after the read timeout",
          "[introspect][server][limits]") {
  introspect::server_options options;
  options.read_timeout = 1s;
  running_server s(options);
  idle_tls_connection idle(s.server.port());
  REQUIRE(idle.handshake_ok());
  CHECK(idle.closed_by_server(30s));
}

namespace {
/// A provider whose every answer throws (a bug in the agent's JSON building, say).
struct throwing_provider final : introspect::introspection_provider {
  std::string metrics_text() override { throw std::runtime_error("metrics broke"); }
  nlohmann::json list() override { throw std::runtime_error("list broke"); }
  std::optional<nlohmann::json> get(std::string_view, std::string_view) override {
    throw std::runtime_error("get broke");
  }
  std::optional<introspect::subscription> watch(std::string_view, std::string_view,
                                                std::function<void(const nlohmann::json&)>) override {
    throw std::runtime_error("watch broke");
  }
};
} // namespace

TEST_CASE("introspection server: a provider that throws costs the request a 500, not the server or a stream slot",
          "[introspect][server]") {
  tls_files files;
  throwing_provider provider;
  introspect::server_options options;
  options.port = 0;
  options.cert_file = files.cert_file;
  options.key_file = files.key_file;
  options.token_file = files.token_file;
  options.max_connections = 3;
  options.max_streams = 1;
  introspect::introspection_server server(provider, options);
  REQUIRE_FALSE(server.start());
  httplib::SSLClient c("127.0.0.1", server.port());
  c.set_ca_cert_path(files.ca_file.c_str());
  c.enable_server_certificate_verification(true);
  c.set_bearer_token_auth(files.token);
  for (const char* path : {"/metrics", "/v1/supervisors", "/v1/supervisors/default/vm1",
                           "/v1/supervisors/default/vm1?watch=true", "/v1/supervisors/default/vm1?watch=true"}) {
    auto res = c.Get(path);
    REQUIRE(res);
    CHECK(res->status == 500); // the second watch is not 429: the first one's slot was freed
  }
  auto health = c.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
}

TEST_CASE("introspection server: a quiet stream carries empty heartbeat lines", "[introspect][server][watch]") {
  introspect::server_options options;
  options.heartbeat_interval = 1s;
  running_server s(options);
  s.provider.set("default", "vm1", snapshot("Running"));
  stream_reader reader(s, "/v1/supervisors/default/vm1?watch=true");
  REQUIRE(reader.wait_for_lines(1));
  CHECK(reader.wait_for_heartbeats(2, 30s));
  CHECK(reader.lines().size() == 1); // heartbeats are not snapshots
}
