#include "protocols/informer.hpp"

namespace podvisor::protocols {

std::string to_string(kube_watch_event::kind k) {
  switch (k) {
    case kube_watch_event::kind::added:
      return "added";
    case kube_watch_event::kind::modified:
      return "modified";
    case kube_watch_event::kind::deleted:
      return "deleted";
    case kube_watch_event::kind::bookmark:
      return "bookmark";
  }
  return "unknown";
}

std::string to_string(informer_event_kind k) {
  switch (k) {
    case informer_event_kind::added:
      return "added";
    case informer_event_kind::updated:
      return "updated";
    case informer_event_kind::deleted:
      return "deleted";
    case informer_event_kind::synced:
      return "synced";
  }
  return "unknown";
}

} // namespace podvisor::protocols
