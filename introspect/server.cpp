#include "introspect/server.hpp"

#include "common/socket_sweep.hpp"

#include <atomic>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "introspect/bearer_token.hpp"
#include "introspect/connection_pool.hpp"
#include "introspect/prometheus_text.hpp"
#include "introspect/routes.hpp"
#include "introspect/snapshot_queue.hpp"

namespace podvisor::introspect {

namespace {

void answer_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"code", status}, {"message", message}}.dump(-1, ' ', false,
                                                                            nlohmann::json::error_handler_t::replace)
                    + "\n",
                  "application/json");
}

std::string openssl_reason() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

/// Refuses overflow connections (connection_pool.hpp) before anything is read but the
/// ClientHello.
int client_hello(SSL*, int* alert, void*) {
  if (!detail::connection_pool::refusing())
    return SSL_CLIENT_HELLO_SUCCESS;
  *alert = SSL_AD_INTERNAL_ERROR;
  return SSL_CLIENT_HELLO_ERROR;
}

} // namespace

struct introspection_server::impl {
  introspection_provider& provider;
  server_options options;
  std::optional<bearer_token> token;
  std::unique_ptr<httplib::SSLServer> server;
  std::thread thread;
  int port = 0;
  std::atomic<bool> stopping{false};
  std::mutex streams_mu;
  std::set<std::shared_ptr<snapshot_queue>> streams;

  impl(introspection_provider& p, server_options o) : provider(p), options(std::move(o)) {}

  httplib::Server::HandlerResponse handle(const httplib::Request& req, httplib::Response& res) {
    try {
      serve(req, res);
    } catch (const std::exception& e) {
      // A provider that throws (a JSON type error, say) costs this request, not the agent.
      answer_error(res, 500, std::string("internal error: ") + e.what());
    }
    return httplib::Server::HandlerResponse::Handled;
  }

  void serve(const httplib::Request& req, httplib::Response& res) {
    if (!token->accepts(req.get_header_value("Authorization"))) {
      res.set_header("WWW-Authenticate", "Bearer");
      if (req.method != "GET")
        res.set_header("Connection", "close"); // a body may follow that we never read
      answer_error(res, 401, "a valid bearer token is required");
      return;
    }
    if (req.method != "GET") {
      res.set_header("Allow", "GET");
      res.set_header("Connection", "close");
      answer_error(res, 405, "this endpoint is read-only: only GET is allowed");
      return;
    }
    auto length = req.get_header_value("Content-Length");
    if (req.has_header("Transfer-Encoding") || (!length.empty() && length != "0")) {
      res.set_header("Connection", "close");
      answer_error(res, 400, "a GET request must not have a body");
      return;
    }
    std::multimap<std::string, std::string> query(req.params.begin(), req.params.end());
    auto r = parse_route(req.path, query);
    switch (r.what) {
    case route::kind::bad_request:
      answer_error(res, 400, r.problem);
      return;
    case route::kind::not_found:
      answer_error(res, 404, "no such path: " + req.path.substr(0, 200));
      return;
    case route::kind::health:
      res.set_content("ok\n", "text/plain; charset=utf-8");
      return;
    case route::kind::metrics:
      res.set_content(provider.metrics_text(), std::string(prometheus_text::content_type));
      return;
    case route::kind::list: {
      auto items = provider.list();
      if (!items.is_array())
        items = nlohmann::json::array();
      res.set_content(nlohmann::json{{"items", std::move(items)}}.dump(-1, ' ', false,
                                                                        nlohmann::json::error_handler_t::replace)
                        + "\n",
                      "application/json");
      return;
    }
    case route::kind::one: {
      auto snapshot = provider.get(r.namespace_, r.name);
      if (!snapshot) {
        answer_error(res, 404, "no supervisor for " + r.namespace_ + "/" + r.name + " on this node");
        return;
      }
      res.set_content(snapshot->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                      "application/json");
      return;
    }
    case route::kind::watch:
      serve_watch(r, res);
      return;
    case route::kind::console:
      serve_console(r, res);
      return;
    }
  }

  /// The serial log's last `tail_kib` KiB; with follow, then every byte appended (polled:
  /// the log is a file another process writes) until the log goes away or the server
  /// stops. A follow counts as a stream (max_streams).
  void serve_console(const route& r, httplib::Response& res) {
    auto path = provider.console_log(r.namespace_, r.name);
    if (!path) {
      answer_error(res, path.error().code == errc::not_found ? 404 : 503, path.error().message);
      return;
    }
    auto file = std::make_shared<std::ifstream>(*path, std::ios::binary);
    if (!*file) {
      answer_error(res, 503, "the console log of " + r.namespace_ + "/" + r.name + " cannot be read yet");
      return;
    }
    file->seekg(0, std::ios::end);
    auto size = static_cast<std::size_t>(std::max<std::streamoff>(0, file->tellg()));
    auto tail = r.tail_kib * 1024;
    file->seekg(static_cast<std::streamoff>(size > tail ? size - tail : 0));
    res.set_header("Cache-Control", "no-store");
    if (!r.follow) {
      std::string text{std::istreambuf_iterator<char>(*file), std::istreambuf_iterator<char>()};
      res.set_content(std::move(text), "text/plain; charset=utf-8");
      return;
    }
    auto queue = std::make_shared<snapshot_queue>(1); // only a token for stop() and the count
    {
      std::lock_guard lock{streams_mu};
      if (stopping.load()) {
        answer_error(res, 503, "the server is stopping");
        return;
      }
      if (streams.size() >= options.max_streams) {
        res.set_header("Retry-After", "1");
        answer_error(res, 429, "too many open streams, try again later");
        return;
      }
      streams.insert(queue);
    }
    auto log_path = *path;
    struct stat opened {};
    auto inode = std::make_shared<ino_t>(::stat(log_path.c_str(), &opened) == 0 ? opened.st_ino : 0);
    res.set_chunked_content_provider(
      "text/plain; charset=utf-8",
      [this, file, log_path, inode](std::size_t, httplib::DataSink& sink) {
        char buf[16 * 1024];
        for (int round = 0; round < 5; ++round) {
          if (stopping.load()) {
            sink.done();
            return true;
          }
          file->clear();
          file->read(buf, sizeof buf);
          auto got = file->gcount();
          if (got > 0)
            return sink.write(buf, static_cast<std::size_t>(got));
          struct stat now {};
          if (::stat(log_path.c_str(), &now) != 0) {
            sink.done(); // the launcher is gone
            return true;
          }
          if (now.st_ino != *inode) {
            // The launcher rotated the log: go on with the new file from its start.
            file->close();
            file->clear();
            file->open(log_path, std::ios::binary);
            *inode = now.st_ino;
            continue;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        // Nothing new for half a second: an empty write finds a client that left.
        return sink.is_writable();
      },
      [this, queue](bool) { forget(queue); });
  }

  void serve_watch(const route& r, httplib::Response& res) {
    auto queue = std::make_shared<snapshot_queue>(options.stream_queue);
    {
      std::lock_guard lock{streams_mu};
      if (stopping.load()) {
        answer_error(res, 503, "the server is stopping");
        return;
      }
      if (streams.size() >= options.max_streams) {
        res.set_header("Retry-After", "1");
        answer_error(res, 429, "too many open watch streams, try again later");
        return;
      }
      streams.insert(queue);
    }
    std::optional<subscription> sub;
    try {
      sub = provider.watch(r.namespace_, r.name, [queue](const nlohmann::json& s) { queue->push(s); });
    } catch (...) {
      forget(queue); // the stream slot is not lost to a provider that throws
      throw;
    }
    if (!sub) {
      forget(queue);
      answer_error(res, 404, "no supervisor for " + r.namespace_ + "/" + r.name + " on this node");
      return;
    }
    auto held = std::make_shared<subscription>(std::move(*sub));
    auto heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(options.heartbeat_interval);
    auto silent_since = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
      "application/x-ndjson",
      [this, queue, heartbeat, silent_since](std::size_t, httplib::DataSink& sink) {
        if (stopping.load()) {
          sink.done();
          return true;
        }
        // Short waits, so that a stop or a provider's end is noticed promptly.
        auto batch = queue->next(std::min(heartbeat, std::chrono::milliseconds(500)));
        for (const auto& line : batch.lines)
          if (!sink.write(line.data(), line.size()))
            return false;
        auto now = std::chrono::steady_clock::now();
        if (!batch.lines.empty()) {
          *silent_since = now;
        } else if (now - *silent_since >= heartbeat) {
          *silent_since = now;
          if (!sink.write("\n", 1))
            return false;
        }
        if (batch.finished)
          sink.done();
        return true;
      },
      [this, queue, held](bool) {
        held->reset(); // the provider stops calling before the queue goes
        forget(queue);
      });
  }

  void forget(const std::shared_ptr<snapshot_queue>& queue) {
    queue->close();
    std::lock_guard lock{streams_mu};
    streams.erase(queue);
  }
};

introspection_server::introspection_server(introspection_provider& provider, server_options options)
  : impl_(std::make_unique<impl>(provider, std::move(options))) {}

introspection_server::~introspection_server() {
  stop();
}

int introspection_server::port() const {
  return impl_->port;
}

error introspection_server::start() {
  auto& i = *impl_;
  const auto& o = i.options;
  if (i.server)
    return {errc::invalid_argument, "the introspection server was started already"};
  if (o.max_connections == 0 || o.max_streams == 0 || o.max_streams >= o.max_connections)
    return {errc::invalid_argument, "need 0 < max_streams < max_connections"};
  if (o.port < 0 || o.port > 65535)
    return {errc::invalid_argument, "port " + std::to_string(o.port) + " is out of range"};
  auto token = bearer_token::load(o.token_file);
  if (!token)
    return token.error().with_context("introspection server");
  i.token = std::move(*token);

  std::string tls_problem;
  i.server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    ERR_clear_error();
    if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1
        || SSL_CTX_use_certificate_chain_file(&ctx, o.cert_file.c_str()) != 1) {
      tls_problem = "certificate " + o.cert_file.string() + ": " + openssl_reason();
      return false;
    }
    if (SSL_CTX_use_PrivateKey_file(&ctx, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1
        || SSL_CTX_check_private_key(&ctx) != 1) {
      tls_problem = "key " + o.key_file.string() + ": " + openssl_reason();
      return false;
    }
    SSL_CTX_set_client_hello_cb(&ctx, client_hello, nullptr);
    return true;
  });
  if (!i.server->is_valid()) {
    i.server.reset();
    return {errc::invalid_argument, "introspection server: " + tls_problem};
  }
  auto workers = o.max_connections;
  auto pending = o.max_pending;
  i.server->new_task_queue = [workers, pending] { return new detail::connection_pool(workers, pending); };
  i.server->set_tcp_nodelay(true);
  i.server->set_keep_alive_max_count(100);
  i.server->set_keep_alive_timeout(o.keep_alive_timeout.count());
  i.server->set_read_timeout(o.read_timeout.count());
  i.server->set_write_timeout(o.write_timeout.count());
  i.server->set_payload_max_length(4096);
  i.server->set_pre_routing_handler(
    [this](const httplib::Request& req, httplib::Response& res) { return impl_->handle(req, res); });
  // Errors cpp-httplib answers itself (a malformed request line, a line over 8 KiB) get
  // our error body instead of an empty one.
  i.server->set_error_handler(httplib::Server::HandlerWithResponse(
    [](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty())
        return httplib::Server::HandlerResponse::Unhandled;
      answer_error(res, res.status, res.status == 414 ? "the request line is too long" : "the request could not be read");
      return httplib::Server::HandlerResponse::Handled;
    }));
  if (o.port == 0) {
    i.port = i.server->bind_to_any_port(o.host);
    if (i.port <= 0) {
      i.server.reset();
      return {errc::unavailable, "introspection server: cannot bind " + o.host + ":0"};
    }
  } else {
    if (!i.server->bind_to_port(o.host, o.port)) {
      i.server.reset();
      return {errc::unavailable, "introspection server: cannot bind " + o.host + ":" + std::to_string(o.port)
                                   + " (address in use or not local?)"};
    }
    i.port = o.port;
  }
  i.thread = std::thread([this] { impl_->server->listen_after_bind(); });
  return {};
}

void introspection_server::stop() {
  auto& i = *impl_;
  if (i.stopping.exchange(true))
    return;
  {
    std::lock_guard lock{i.streams_mu};
    for (const auto& s : i.streams)
      s->close();
  }
  if (i.server) {
    i.server->stop();
    if (i.port > 0)
      // Idle keep-alive connections would hold stop() for a whole timeout.
      podvisor::shutdown_accepted_connections(i.port);
  }
  if (i.thread.joinable())
    i.thread.join();
}

} // namespace podvisor::introspect
