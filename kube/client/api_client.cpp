#include "kube/client/api_client.hpp"

namespace podvisor::kube::client {

void watch_handle::cancel() {
  cancelled_.store(true);
  // Under the lock: `unbind` waits for a running stop function, so the watch's
  // connection cannot be destroyed while it is being stopped.
  std::lock_guard lock{mu_};
  if (stop_)
    stop_();
}

void watch_handle::bind(std::function<void()> stop) {
  std::lock_guard lock{mu_};
  stop_ = std::move(stop);
  if (cancelled_.load() && stop_)
    stop_();
}

void watch_handle::unbind() {
  std::lock_guard lock{mu_};
  stop_ = nullptr;
}

expected<nlohmann::json> api_client::create_subresource(const resource_ref& r, std::string_view, std::string_view name,
                                                        std::string_view subresource, const nlohmann::json&) {
  return error{errc::unsupported, "this client cannot create " + r.plural + "/" + std::string(subresource) + " (" +
                                    std::string(name) + ")"};
}

} // namespace podvisor::kube::client
