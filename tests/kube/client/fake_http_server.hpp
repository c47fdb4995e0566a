#pragma once
// A plain-http cpp-httplib server on 127.0.0.1 and a free port, for tests of rest_client's
// requests and of answers the real API server does not give (continue tokens, slow or
// broken streams). Records every request; each test installs its own handlers.

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace podvisor::test {

/// One request as the server saw it.
struct recorded_request {
  std::string method;
  std::string target; ///< path and query as sent (still percent-encoded)
  std::string path;   ///< decoded path
  httplib::Params params;
  httplib::Headers headers;
  std::string body;
  std::string remote_port;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string{} : it->second;
  }
};

class fake_http_server {
public:
  /// `handler` answers every request (any method, any path).
  explicit fake_http_server(httplib::Server::Handler handler) : handler_(std::move(handler)) {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock{mu_};
        requests_.push_back({req.method, req.target, req.path, req.params, req.headers, req.body,
                             req.get_header_value("REMOTE_PORT")});
      }
      handler_(req, res);
    };
    server_.Get(".*", record);
    server_.Post(".*", record);
    server_.Put(".*", record);
    server_.Patch(".*", record);
    server_.Delete(".*", record);
    server_.set_keep_alive_timeout(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so wait for it (a join would hang).
    for (int i = 0; i < 500 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  fake_http_server(const fake_http_server&) = delete;
  fake_http_server& operator=(const fake_http_server&) = delete;
  ~fake_http_server() { stop(); }

  void stop() {
    server_.stop();
    if (thread_.joinable())
      thread_.join();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<recorded_request> requests() const {
    std::lock_guard lock{mu_};
    return requests_;
  }
  recorded_request last() const {
    std::lock_guard lock{mu_};
    return requests_.empty() ? recorded_request{} : requests_.back();
  }

private:
  httplib::Server::Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<recorded_request> requests_;
};

} // namespace podvisor::test
