// The transport under rest_client: configuration checks, the connection pool, the
// request loop with its two retries, and transport failures as errors. The only file
// besides rest_watch.cpp that includes cpp-httplib.

#include <httplib.h>

#include "kube/client/rest_client_impl.hpp"

namespace podvisor::kube::client {

void http_client_deleter::operator()(httplib::ClientImpl* c) const {
  delete c;
}

rest_client::rest_client(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

rest_client::~rest_client() = default;

const client_config& rest_client::config() const {
  return impl_->config;
}

expected<std::unique_ptr<rest_client>> rest_client::create(client_config config) {
  auto fail = [](error e) { return e.with_context("configuring the API client"); };
  auto address = parse_server_url(config.server);
  if (!address)
    return fail(address.error());
  if (address->scheme == "http" && !config.allow_insecure_http)
    return fail({errc::invalid_argument, "server " + config.server + ": plain http is refused (credentials would "
                                         "travel in clear text); use https"});
  if (config.insecure_skip_tls_verify && !config.ca_pem.empty())
    return fail({errc::invalid_argument, "insecure_skip_tls_verify cannot be combined with a CA"});
  if (config.connect_timeout <= std::chrono::milliseconds::zero()
      || config.request_timeout <= std::chrono::milliseconds::zero()
      || config.watch_idle_timeout <= std::chrono::milliseconds::zero())
    return fail({errc::invalid_argument, "timeouts must be positive"});
  auto i = std::make_unique<impl>();
  i->address = std::move(*address);
  if (i->address.scheme == "https") {
    auto tls = tls_material::load(config, i->address.host);
    if (!tls)
      return fail(tls.error());
    i->tls = std::move(*tls);
  }
  auto tokens = token_source::create(config.token, config.token_file);
  if (!tokens)
    return fail(tokens.error());
  i->tokens = std::move(*tokens);
  i->config = std::move(config);
  // Build one connection object now, so that a TLS setting OpenSSL refuses is reported
  // here rather than at the first request.
  auto probe = i->make_client(i->config.request_timeout);
  if (!probe)
    return fail(probe.error());
  i->give_back(std::move(*probe));
  return std::unique_ptr<rest_client>(new rest_client(std::move(i)));
}

expected<http_client_ptr> rest_client::impl::make_client(std::chrono::milliseconds read_timeout) const {
  http_client_ptr c;
  if (tls) {
    std::unique_ptr<httplib::SSLClient> ssl;
    if (tls->client_cert() != nullptr)
      ssl = std::make_unique<httplib::SSLClient>(address.host, address.port, tls->client_cert(), tls->client_key());
    else
      ssl = std::make_unique<httplib::SSLClient>(address.host, address.port);
    if (!ssl->is_valid())
      return error{errc::invalid_argument, "the TLS client could not be set up with the client certificate and key"};
    // Verification is configured on the SSL_CTX by tls_material (see tls.hpp for why
    // httplib's own check is off).
    ssl->enable_server_certificate_verification(false);
    if (auto* store = tls->ca_store_reference())
      ssl->set_ca_cert_store(store);
    if (auto e = tls->configure(ssl->ssl_context()))
      return e;
    c.reset(ssl.release());
  } else {
    c.reset(new httplib::ClientImpl(address.host, address.port));
  }
  c->set_tcp_nodelay(true);
  c->set_keep_alive(true);
  // Paths and queries are percent-encoded by resource.cpp and url.cpp already.
  c->set_url_encode(false);
  c->set_connection_timeout(config.connect_timeout);
  c->set_read_timeout(read_timeout);
  c->set_write_timeout(config.request_timeout);
  return c;
}

expected<http_client_ptr> rest_client::impl::take(bool& reused) {
  {
    std::lock_guard lock{pool_mu};
    if (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      // Only a connection that was open before can have been closed by the server
      // meanwhile (the stale-connection retry in `send`).
      reused = c->is_socket_open() > 0;
      return c;
    }
  }
  reused = false;
  return make_client(config.request_timeout);
}

void rest_client::impl::give_back(http_client_ptr c) {
  std::lock_guard lock{pool_mu};
  if (idle.size() < max_idle)
    idle.push_back(std::move(c));
}

std::vector<std::pair<std::string, std::string>> rest_client::impl::base_headers(const std::string& token) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!token.empty())
    out.emplace_back("Authorization", "Bearer " + token);
  out.emplace_back("User-Agent", config.user_agent);
  out.emplace_back("Accept", "application/json");
  // httplib writes "host:port" unbracketed, which is not a valid Host for IPv6.
  if (address.host.find(':') != std::string::npos)
    out.emplace_back("Host", address.host_port());
  return out;
}

error rest_client::impl::transport_error(httplib::Error e, std::chrono::steady_clock::duration elapsed,
                                         std::chrono::milliseconds read_timeout, bool fresh_connection) const {
  auto origin = address.origin();
  // What OpenSSL said, if anything: "tlsv13 alert certificate required" explains a
  // connection closed right after the handshake.
  auto tls_errors = take_tls_errors();
  auto tls_note = tls_errors.empty() ? std::string{} : " (TLS: " + tls_errors + ")";
  if (tls_note.empty() && tls && fresh_connection)
    // With TLS 1.3 a server checks the client certificate after the handshake and closes
    // the connection, often before its alert can be read: say what is most likely.
    tls_note = tls->client_cert() != nullptr
                 ? " (right after the TLS handshake: the server may have refused our client certificate)"
                 : " (right after the TLS handshake: the server may require a client certificate)";
  switch (e) {
  case httplib::Error::Connection:
    return {errc::unavailable, "cannot connect to " + origin + " (refused, unreachable or name not resolved)"};
  case httplib::Error::ConnectionTimeout:
    return {errc::timeout, "connecting to " + origin + " timed out"};
  case httplib::Error::SSLConnection:
  case httplib::Error::SSLServerVerification: {
    if (auto why = last_verify_failure(); !why.empty())
      return {errc::unavailable, "TLS handshake with " + origin + " failed: the server certificate is not trusted: "
                                   + why + " (is the certificate authority the right one for this server?)"};
    return {errc::unavailable, "TLS handshake with " + origin + " failed"
                                 + (tls_note.empty() ? " (not a TLS server, or it refused our protocol version or client "
                                                       "certificate)"
                                                     : tls_note)};
  }
  case httplib::Error::SSLLoadingCerts:
    return {errc::internal, "TLS certificates could not be loaded for " + origin};
  case httplib::Error::Read:
    // httplib reports a read timeout and a closed connection alike; the time tells them
    // apart (it waited the whole timeout for nothing).
    if (elapsed + std::chrono::milliseconds(50) >= read_timeout)
      return {errc::timeout, "no answer from " + origin + " within "
                               + std::to_string(read_timeout.count()) + " ms"};
    return {errc::unavailable, "connection to " + origin + " closed or failed while reading the answer" + tls_note};
  case httplib::Error::Write:
    return {errc::unavailable, "connection to " + origin + " failed while sending the request" + tls_note};
  case httplib::Error::Canceled:
    return {errc::cancelled, "request to " + origin + " cancelled"};
  case httplib::Error::Compression:
    return {errc::parse_error, "the answer from " + origin + " could not be decompressed"};
  default:
    return {errc::internal, "request to " + origin + " failed: " + httplib::to_string(e)};
  }
}

expected<http_answer> rest_client::impl::send(std::string_view method, std::string_view target,
                                              const std::string* body, std::string_view content_type) {
  auto token = tokens->current();
  bool retried_stale = false;
  bool retried_token = false;
  for (;;) {
    bool reused = false;
    auto c = take(reused);
    if (!c)
      return c.error();
    httplib::Request req;
    req.method = std::string(method);
    req.path = full_target(target);
    for (auto& [name, value] : base_headers(token))
      req.set_header(name, value);
    if (body) {
      req.body = *body;
      req.set_header("Content-Type", std::string(content_type));
    }
    httplib::Response res;
    auto err = httplib::Error::Success;
    reset_verify_failure();
    auto start = std::chrono::steady_clock::now();
    if (!(*c)->send(req, res, err)) {
      auto elapsed = std::chrono::steady_clock::now() - start;
      // A keep-alive connection the server closed while idle fails on first use; only a
      // GET is repeated, since another verb may have been carried out already.
      if (reused && !retried_stale && method == "GET"
          && (err == httplib::Error::Read || err == httplib::Error::Write)
          && elapsed + std::chrono::milliseconds(50) < config.request_timeout) {
        retried_stale = true;
        continue;
      }
      return transport_error(err, elapsed, config.request_timeout, !reused);
    }
    give_back(std::move(*c));
    if (res.status == 401 && !retried_token && tokens->refresh()) {
      // The token file was rotated since we last looked; try once with the new token.
      retried_token = true;
      token = tokens->current();
      continue;
    }
    return http_answer{res.status, std::move(res.body)};
  }
}

} // namespace podvisor::kube::client
