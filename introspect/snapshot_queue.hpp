#pragma once
// The queue between a provider's watch callback (any thread, must not block) and the
// worker thread writing one watch stream: bounded, dropping the oldest snapshot when
// full (each one is complete), ended by the provider (supervisor gone) or by the server.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace podvisor::introspect {

class snapshot_queue {
public:
  explicit snapshot_queue(std::size_t limit) : limit_(limit == 0 ? 1 : limit) {}

  /// From the provider: a snapshot (queued as one NDJSON line) or JSON null (the end).
  void push(const nlohmann::json& snapshot);
  /// From the server: no more lines; wakes the waiting writer.
  void close();

  /// What the writer gets: lines to send (each ends in '\n'), and whether the stream is
  /// over after them.
  struct batch {
    std::vector<std::string> lines;
    bool finished = false;
  };
  /// Waits up to `timeout` for lines or the end.
  batch next(std::chrono::milliseconds timeout);
  /// Snapshots dropped because the reader was slow.
  std::size_t dropped() const;

private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
  std::size_t limit_;
  std::size_t dropped_ = 0;
  bool finished_ = false;
};

} // namespace podvisor::introspect
