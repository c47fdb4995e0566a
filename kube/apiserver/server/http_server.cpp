#include "kube/apiserver/server/http_server.hpp"

#include "common/socket_sweep.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>

#include "kube/apiserver/server/responses.hpp"
#include "kube/apiserver/server/watch_session.hpp"

namespace podvisor::kube::apiserver {

namespace {

// Like kube-apiserver, compress only answers of 128 KiB or more. cpp-httplib gzips every
// JSON answer whose client accepts gzip (client-go and kubectl do), and setting up zlib
// for a 2 KB object cost ~45% of the server's CPU in bench_apiserver.
constexpr std::size_t compression_threshold = 128 * 1024;

// cpp-httplib decides on compression after the handler returns, from the request's
// Accept-Encoding header, and offers no switch per response. The Request it passes as
// const is its own non-const local, so removing the header is well-defined; it only
// changes what the library does with this one answer.
void skip_compression(const httplib::Request& req) {
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
}

} // namespace

struct http_server::impl {
  api_handler& handler;
  http_options options;
  std::unique_ptr<httplib::SSLServer> server;
  /// The listening socket, seen as cpp-httplib creates it (to widen its backlog).
  int listen_fd = -1;
  std::thread thread;
  // Open watch sessions, so that stop() can end them instead of waiting for timeouts.
  std::mutex sessions_mu;
  std::set<std::shared_ptr<watch_session>> sessions;
  std::atomic<bool> stopping{false};

  impl(api_handler& h, http_options o) : handler(h), options(std::move(o)) {}

  /// Reads the body through `reader` (POST, PUT, PATCH, DELETE), never holding more
  /// than the handler's limit: cpp-httplib itself checks only a declared Content-Length,
  /// and would read a chunked or compressed body of any size into memory before any
  /// handler (or authentication) runs. False when the answer has been written already.
  bool read_body(const httplib::ContentReader& reader, std::string& body, httplib::Response& res) {
    const auto limit = handler.options().max_body_bytes;
    bool too_large = false;
    bool complete = reader([&](const char* data, std::size_t size) {
      if (body.size() + size > limit) {
        too_large = true;
        return false;
      }
      body.append(data, size);
      return true;
    });
    // cpp-httplib refuses a declared Content-Length over its limit itself (status 413).
    if (too_large || res.status == 413) {
      res.status = 413;
      res.set_header("Connection", "close"); // the rest of the body is never read
      res.set_content(status_json(413, "RequestEntityTooLarge", "Request entity too large: limit is " + std::to_string(limit)).dump(),
                      "application/json");
      return false;
    }
    if (!complete) {
      res.status = 400;
      res.set_header("Connection", "close");
      res.set_content(status_json(400, "BadRequest", "the request body could not be read").dump(), "application/json");
      return false;
    }
    return true;
  }

  void serve_with_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    std::string body;
    if (read_body(reader, body, res))
      serve(req, res, std::move(body));
  }

  void serve(const httplib::Request& req, httplib::Response& res, std::string body = {}) {
    api_request r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& [key, value] : req.params)
      r.query.emplace(key, value); // emplace keeps the first of repeated keys
    r.accept = req.get_header_value("Accept");
    r.content_type = req.get_header_value("Content-Type");
    r.authorization = req.get_header_value("Authorization");
    r.body = std::move(body);
    auto out = handler.handle(r);
    res.status = out.status;
    for (const auto& [name, value] : out.headers)
      res.set_header(name, value);
    if (!out.watch) {
      if (out.body.size() < compression_threshold)
        skip_compression(req);
      res.set_content(std::move(out.body), out.content_type);
      return;
    }
    auto session = out.watch;
    {
      std::lock_guard lock{sessions_mu};
      auto limit = options.threads > options.reserved_threads ? options.threads - options.reserved_threads : 1;
      if (sessions.size() >= limit) {
        // Every further watch would hold a worker thread; refuse it like kube-apiserver's
        // max-in-flight limit does, and keep the remaining threads for short requests.
        session->close();
        res.status = 429;
        res.set_header("Retry-After", "1");
        res.set_content(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too many open watches, please try again later","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429})",
                        "application/json");
        return;
      }
      sessions.insert(session);
    }
    res.set_chunked_content_provider(
      out.content_type,
      [this, session](std::size_t, httplib::DataSink& sink) {
        if (stopping.load() || !sink.is_writable()) {
          sink.done();
          return true;
        }
        // Wake up every second to notice a client that went away.
        auto chunk = session->next(std::chrono::seconds(1));
        if (!chunk) {
          sink.done();
          return true;
        }
        if (!chunk->empty() && !sink.write(chunk->data(), chunk->size()))
          return false;
        return true;
      },
      [this, session](bool) {
        session->close();
        std::lock_guard lock{sessions_mu};
        sessions.erase(session);
      });
  }
};

http_server::http_server(api_handler& handler, http_options options)
  : impl_(std::make_unique<impl>(handler, std::move(options))) {}

http_server::~http_server() {
  stop();
}

bool http_server::start(std::string& error) {
  auto& i = *impl_;
  i.server = std::make_unique<httplib::SSLServer>(i.options.cert_file.c_str(), i.options.key_file.c_str());
  if (!i.server->is_valid()) {
    error = "cannot load the serving certificate " + i.options.cert_file + " and key " + i.options.key_file;
    return false;
  }
  auto threads = i.options.threads;
  i.server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  i.server->set_tcp_nodelay(true);
  i.server->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    impl_->listen_fd = sock; // the last one offered is the one bound
  });
  i.server->set_keep_alive_max_count(1000);
  i.server->set_keep_alive_timeout(30);
  i.server->set_read_timeout(30);
  i.server->set_write_timeout(30);
  i.server->set_payload_max_length(i.handler.options().max_body_bytes + 1);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { impl_->serve(req, res); };
  auto with_body = [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    impl_->serve_with_body(req, res, reader);
  };
  i.server->Get(".*", handler);
  i.server->Post(".*", with_body);
  i.server->Put(".*", with_body);
  i.server->Patch(".*", with_body);
  i.server->Delete(".*", with_body);
  // Without this, cpp-httplib answers OPTIONS itself (404, empty body); routed, it gets
  // the 405 Status every other unsupported method gets.
  i.server->Options(".*", handler);
  // Errors cpp-httplib produces before a request reaches the handler (a body over the
  // limit, a malformed request line, a body cut short) come with an empty body; give them
  // the Status body every Kubernetes client expects. Handler responses already have one.
  i.server->set_error_handler(httplib::Server::HandlerWithResponse(
    [limit = i.handler.options().max_body_bytes](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty())
        return httplib::Server::HandlerResponse::Unhandled;
      std::string reason = "BadRequest";
      std::string message = "the request could not be read";
      if (res.status == 413) {
        reason = "RequestEntityTooLarge";
        message = "Request entity too large: limit is " + std::to_string(limit);
      } else if (res.status == 404) {
        reason = "NotFound";
        message = "the server could not find the requested resource";
      } else if (res.status == 405) {
        reason = "MethodNotAllowed";
        message = "the server does not allow this method on the requested resource";
      } else if (res.status >= 500) {
        reason = "InternalError";
        message = "Internal error occurred";
      }
      res.set_content(status_json(res.status, reason, message).dump(), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }));
  i.server->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred","reason":"InternalError","code":500})",
                    "application/json");
  });
  if (i.options.port == 0) {
    port_ = i.server->bind_to_any_port(i.options.host);
    if (port_ <= 0) {
      error = "cannot bind " + i.options.host + ":0";
      return false;
    }
  } else {
    if (!i.server->bind_to_port(i.options.host, i.options.port)) {
      error = "cannot bind " + i.options.host + ":" + std::to_string(i.options.port)
              + " (address in use or not local?)";
      return false;
    }
    port_ = i.options.port;
  }
  // cpp-httplib (compiled into Debian's library) listens with a backlog of 5: a burst of
  // new connections — a hundred clients at once, or one client's connection pool
  // opening — overflows it, and each dropped SYN costs its client a 1 s retransmit.
  // listen() again on the bound socket only raises the limit (to the kernel's somaxconn).
  if (i.listen_fd < 0 || ::listen(i.listen_fd, SOMAXCONN) != 0) {
    error = "cannot widen the listen backlog of " + i.options.host + ":" + std::to_string(port_);
    if (i.listen_fd >= 0)
      ::close(i.listen_fd); // not listening yet: cpp-httplib would not close it
    i.server.reset();
    return false;
  }
  i.thread = std::thread([this] { impl_->server->listen_after_bind(); });
  return true;
}

void http_server::stop() {
  auto& i = *impl_;
  if (i.stopping.exchange(true))
    return;
  {
    std::lock_guard lock{i.sessions_mu};
    for (const auto& s : i.sessions)
      s->close();
  }
  if (i.server) {
    i.server->stop();
    if (port_ > 0)
      // Idle keep-alive connections would hold stop() for a whole timeout.
      podvisor::shutdown_accepted_connections(port_);
  }
  if (i.thread.joinable())
    i.thread.join();
}

} // namespace podvisor::kube::apiserver
