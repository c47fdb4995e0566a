#pragma once
// The launcher's end of the command channel (protocols/launcher_channel.hpp): a unix
// socket, 0600, in the launcher's directory. One thread accepts; each client gets a
// thread that reads request lines and answers through the launcher_ref. At most
// `max_clients` at once (the agent needs one or two); more are refused with an error line.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "actors/launcher/launcher.hpp"
#include "common/error.hpp"

namespace podvisor::actors::launcher {

class control_server {
public:
  static constexpr int max_clients = 8;
  /// A client that does not read its answers or events for this long is disconnected.
  static constexpr std::chrono::seconds send_timeout{5};

  /// Binds `socket_path` (a stale socket there is replaced) and starts serving `ref`.
  /// `domain` and `server` go into the hello answer.
  static expected<std::unique_ptr<control_server>> start(const std::filesystem::path& socket_path, launcher_ref ref,
                                                         std::string domain, std::string server);
  ~control_server();
  control_server(const control_server&) = delete;
  control_server& operator=(const control_server&) = delete;

  /// Stops accepting, disconnects clients, joins every thread, removes the socket.
  void stop();

  struct impl;

private:
  explicit control_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace podvisor::actors::launcher
