// rest_client::watch: one streaming GET on a dedicated connection (not from the pool, so
// that cancelling it can shut its socket down), its body fed to a watch_parser as it
// arrives, and every way the stream can end mapped to the contract in api_client.hpp.

#include <httplib.h>

#include "kube/client/errors.hpp"
#include "kube/client/rest_client_impl.hpp"

namespace podvisor::kube::client {

namespace {

/// Ends the handle's binding however the watch ends.
class binding {
public:
  binding(watch_handle* handle, std::function<void()> stop) : handle_(handle) {
    if (handle_)
      handle_->bind(std::move(stop));
  }
  ~binding() {
    if (handle_)
      handle_->unbind();
  }
  binding(const binding&) = delete;
  binding& operator=(const binding&) = delete;

private:
  watch_handle* handle_;
};

} // namespace

error rest_client::watch(const resource_ref& r, std::string_view ns, const watch_options& options,
                         const std::function<bool(watch_event&)>& on_event, watch_handle* handle) {
  auto what = "watch " + r.plural + (!r.namespaced ? "" : ns.empty() ? " in all namespaces" : " in " + std::string(ns));
  if (handle && handle->cancelled())
    return error{errc::cancelled, "cancelled before it started"}.with_context(what);

  query_builder q;
  q.add("watch", "1");
  q.add_if("resourceVersion", options.resource_version);
  if (options.allow_bookmarks)
    q.add("allowWatchBookmarks", "true");
  if (options.timeout_seconds > 0)
    q.add("timeoutSeconds", std::to_string(options.timeout_seconds));
  q.add_if("labelSelector", options.label_selector).add_if("fieldSelector", options.field_selector);

  auto idle_timeout = impl_->config.watch_idle_timeout;
  auto client = impl_->make_client(idle_timeout);
  if (!client)
    return client.error().with_context(what);
  auto& c = **client;
  // No Accept-Encoding (httplib sends none): a compressed stream would be buffered by the
  // decompressor, delaying events, and is not worth it for one event per line.
  c.set_keep_alive(false);
  c.set_decompress(false);

  httplib::Headers headers;
  for (auto& [name, value] : impl_->base_headers(impl_->tokens->current()))
    headers.emplace(name, value);

  watch_parser parser;
  std::vector<watch_event> events;
  int status = 0;
  std::string error_body;    // the body of a non-200 answer, for classify
  error ended;               // set when an ERROR event or a parse error ended the stream
  bool stopped_by_caller = false;
  auto last_byte = std::chrono::steady_clock::now();

  binding bound{handle, [&c] { c.stop(); }};
  reset_verify_failure();
  auto result = c.Get(
    impl_->full_target(collection_path(r, ns) + q.str()), headers,
    [&](const httplib::Response& res) {
      status = res.status;
      return !(handle && handle->cancelled());
    },
    [&](const char* data, std::size_t size) {
      last_byte = std::chrono::steady_clock::now();
      if (handle && handle->cancelled())
        return false;
      if (status != 200) {
        // A Status body; a huge one is cut, its start is enough to classify.
        if (error_body.size() < 64 * 1024)
          error_body.append(data, std::min(size, 64 * 1024 - error_body.size()));
        return true;
      }
      events.clear();
      auto fed = parser.feed(std::string_view(data, size), events);
      for (auto& event : events) {
        if (event.type == watch_event::kind::error) {
          on_event(event);
          ended = error_of(event);
          return false;
        }
        if (!on_event(event)) {
          stopped_by_caller = true;
          return false;
        }
      }
      if (fed) {
        ended = std::move(fed);
        return false;
      }
      return true;
    });

  if (handle && handle->cancelled())
    return error{errc::cancelled, "cancelled"}.with_context(what);
  if (ended)
    return ended.with_context(what);
  if (stopped_by_caller)
    return {};
  if (!result) {
    auto silent = std::chrono::steady_clock::now() - last_byte;
    if (result.error() == httplib::Error::Read && silent + std::chrono::milliseconds(50) >= idle_timeout)
      return error{errc::timeout, "no data from " + impl_->address.origin() + " for "
                                    + std::to_string(idle_timeout.count()) + " ms (the stream is considered broken)"}
        .with_context(what);
    return impl_->transport_error(result.error(), silent, idle_timeout, true).with_context(what);
  }
  if (status == 401)
    // A rotated token file: the caller's next watch will carry the new token.
    impl_->tokens->refresh();
  if (status != 200)
    return classify(status, error_body).with_context(what);
  if (parser.pending() > 0)
    return error{errc::unavailable, "the stream ended in the middle of an event"}.with_context(what);
  return {};
}

error rest_client::stream_raw(std::string_view path, const std::function<bool(std::string_view)>& on_data,
                              watch_handle* handle) {
  auto what = "get " + std::string(path);
  if (path.empty() || path.front() != '/')
    return error{errc::invalid_argument, "the path must start with '/'"}.with_context(what);
  if (handle && handle->cancelled())
    return error{errc::cancelled, "cancelled before it started"}.with_context(what);
  auto idle_timeout = impl_->config.watch_idle_timeout;
  auto client = impl_->make_client(idle_timeout);
  if (!client)
    return client.error().with_context(what);
  auto& c = **client;
  c.set_keep_alive(false);
  c.set_decompress(false);
  httplib::Headers headers;
  for (auto& [name, value] : impl_->base_headers(impl_->tokens->current()))
    headers.emplace(name, value);

  int status = 0;
  std::string error_body;
  bool stopped_by_caller = false;
  auto last_byte = std::chrono::steady_clock::now();
  binding bound{handle, [&c] { c.stop(); }};
  reset_verify_failure();
  auto result = c.Get(
    impl_->full_target(path), headers,
    [&](const httplib::Response& res) {
      status = res.status;
      return !(handle && handle->cancelled());
    },
    [&](const char* data, std::size_t size) {
      last_byte = std::chrono::steady_clock::now();
      if (handle && handle->cancelled())
        return false;
      if (status < 200 || status > 299) {
        if (error_body.size() < 64 * 1024)
          error_body.append(data, std::min(size, 64 * 1024 - error_body.size()));
        return true;
      }
      if (!on_data(std::string_view(data, size))) {
        stopped_by_caller = true;
        return false;
      }
      return true;
    });

  if (handle && handle->cancelled())
    return error{errc::cancelled, "cancelled"}.with_context(what);
  if (stopped_by_caller)
    return {};
  if (!result) {
    auto silent = std::chrono::steady_clock::now() - last_byte;
    if (result.error() == httplib::Error::Read && silent + std::chrono::milliseconds(50) >= idle_timeout)
      return error{errc::timeout, "no data from " + impl_->address.origin() + " for "
                                    + std::to_string(idle_timeout.count()) + " ms (the stream is considered broken)"}
        .with_context(what);
    return impl_->transport_error(result.error(), silent, idle_timeout, true).with_context(what);
  }
  if (status < 200 || status > 299)
    return classify(status, error_body).with_context(what);
  return {};
}

} // namespace podvisor::kube::client
