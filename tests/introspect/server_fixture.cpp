#include "tests/introspect/server_fixture.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "common/temp_dir.hpp"
#include "kube/apiserver/auth/pki.hpp"
#include "kube/apiserver/auth/secure_file.hpp"
#include "kube/apiserver/auth/serving_cert.hpp"

namespace podvisor::test {

nlohmann::json fake_provider::list() {
  std::lock_guard lock{mu_};
  auto out = nlohmann::json::array();
  for (const auto& [key, s] : snapshots_)
    out.push_back(s);
  return out;
}

std::optional<nlohmann::json> fake_provider::get(std::string_view ns, std::string_view name) {
  std::lock_guard lock{mu_};
  auto it = snapshots_.find(std::string(ns) + "/" + std::string(name));
  if (it == snapshots_.end())
    return std::nullopt;
  return it->second;
}

std::optional<introspect::subscription> fake_provider::watch(std::string_view ns, std::string_view name,
                                                             std::function<void(const nlohmann::json&)> on_snapshot) {
  std::lock_guard lock{mu_};
  auto key = std::string(ns) + "/" + std::string(name);
  auto it = snapshots_.find(key);
  if (it == snapshots_.end())
    return std::nullopt;
  on_snapshot(it->second);
  int id = next_id_++;
  watchers_.emplace(id, std::make_pair(key, std::move(on_snapshot)));
  cv_.notify_all();
  // Cancelling takes the lock that calls run under: no call after cancel returns.
  return introspect::subscription([this, id] {
    std::lock_guard l{mu_};
    watchers_.erase(id);
    cv_.notify_all();
  });
}

void fake_provider::set(const std::string& ns, const std::string& name, nlohmann::json snapshot) {
  std::lock_guard lock{mu_};
  snapshots_[ns + "/" + name] = std::move(snapshot);
}

void fake_provider::push(const std::string& ns, const std::string& name, const nlohmann::json& snapshot) {
  std::lock_guard lock{mu_};
  auto key = ns + "/" + name;
  if (snapshot.is_null())
    snapshots_.erase(key);
  else
    snapshots_[key] = snapshot;
  for (const auto& [id, w] : watchers_)
    if (w.first == key)
      w.second(snapshot);
}

bool fake_provider::wait_for_watchers(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock{mu_};
  return cv_.wait_for(lock, timeout, [&] { return watchers_.size() >= n; });
}

bool fake_provider::wait_for_no_watchers(std::chrono::milliseconds timeout) {
  std::unique_lock lock{mu_};
  return cv_.wait_for(lock, timeout, [&] { return watchers_.empty(); });
}

std::size_t fake_provider::watchers() const {
  std::lock_guard lock{mu_};
  return watchers_.size();
}

tls_files::tls_files() {
  auto pki = kube::apiserver::ensure_pki(dir.path() / "data");
  if (!pki)
    throw std::runtime_error(pki.error().to_string());
  auto ca_key = kube::apiserver::read_small_file(pki->ca_key);
  if (!ca_key)
    throw std::runtime_error(ca_key.error().to_string());
  kube::apiserver::serving_cert_options options;
  options.ip_addresses = {"127.0.0.1"};
  auto creds = kube::apiserver::issue_serving_certificate(pki->ca_cert_pem, *ca_key, options);
  if (!creds)
    throw std::runtime_error(creds.error().to_string());
  ca_pem = pki->ca_cert_pem;
  ca_file = dir.write("ca.crt", ca_pem);
  cert_file = dir.write("tls.crt", creds->cert_pem);
  key_file = dir.write("tls.key", creds->key_pem);
  token_file = dir.write("token", token + "\n");
}

running_server::running_server(introspect::server_options options)
  : server(provider, [&] {
      options.host = "127.0.0.1";
      options.port = 0;
      options.cert_file = files.cert_file;
      options.key_file = files.key_file;
      options.token_file = files.token_file;
      return options;
    }()) {
  if (auto e = server.start())
    throw std::runtime_error(e.to_string());
}

std::unique_ptr<httplib::SSLClient> running_server::client(std::optional<std::string> token) const {
  auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", server.port());
  c->set_ca_cert_path(files.ca_file.c_str());
  c->enable_server_certificate_verification(true);
  c->set_connection_timeout(std::chrono::seconds(5));
  c->set_read_timeout(std::chrono::seconds(10));
  auto t = token.value_or(files.token);
  if (!t.empty())
    c->set_bearer_token_auth(t);
  return c;
}

namespace {

/// True once `text` holds a whole response with a Content-Length body (the server may
/// keep the connection open after it).
bool response_complete(const std::string& text) {
  auto end = text.find("\r\n\r\n");
  if (end == std::string::npos)
    return false;
  std::string head = text.substr(0, end);
  for (auto& c : head)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto at = head.find("\r\ncontent-length:");
  if (at == std::string::npos)
    return false;
  auto length = std::strtoul(head.c_str() + at + 17, nullptr, 10);
  return text.size() >= end + 4 + length;
}

} // namespace

std::string raw_tls_exchange(int port, const std::string& bytes, bool* handshake_ok) {
  if (handshake_ok)
    *handshake_ok = false;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  std::string out;
  if (SSL_connect(ssl) == 1) {
    if (handshake_ok)
      *handshake_ok = true;
    SSL_write(ssl, bytes.data(), static_cast<int>(bytes.size()));
    char buf[4096];
    int n;
    while (!response_complete(out) && (n = SSL_read(ssl, buf, sizeof buf)) > 0)
      out.append(buf, static_cast<std::size_t>(n));
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  return out;
}

idle_tls_connection::idle_tls_connection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return;
  auto* ctx = SSL_CTX_new(TLS_client_method());
  auto* ssl = SSL_new(ctx);
  ctx_ = ctx;
  ssl_ = ssl;
  SSL_set_fd(ssl, fd_);
  ok_ = SSL_connect(ssl) == 1;
}

bool idle_tls_connection::closed_by_server(std::chrono::seconds timeout) {
  if (!ok_)
    return false;
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[256];
  // Session tickets may arrive first; the close is a read of 0 (or an error other than
  // our own timeout).
  while (true) {
    int n = SSL_read(static_cast<SSL*>(ssl_), buf, sizeof buf);
    if (n > 0)
      continue;
    int err = SSL_get_error(static_cast<SSL*>(ssl_), n);
    if (err == SSL_ERROR_ZERO_RETURN)
      return true;
    // Our own receive timeout: OpenSSL reports the socket's EAGAIN as "want read".
    if (err == SSL_ERROR_WANT_READ || (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)))
      return false;
    return true;
  }
}

idle_tls_connection::~idle_tls_connection() {
  SSL_free(static_cast<SSL*>(ssl_));
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
  if (fd_ >= 0)
    ::close(fd_);
}

} // namespace podvisor::test
