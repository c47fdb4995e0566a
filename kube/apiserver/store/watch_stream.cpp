#include "kube/apiserver/store/watch_stream.hpp"

namespace podvisor::kube::apiserver {

watch_stream::~watch_stream() {
  // The store drops closed queues on its next write to the resource.
  queue_->close();
}

watch_next watch_stream::next(std::chrono::steady_clock::duration timeout) {
  return queue_->next(timeout);
}

void watch_stream::close() {
  queue_->close();
}

bool watch_stream::done() const {
  return queue_->done();
}

} // namespace podvisor::kube::apiserver
