#include "protocols/type_ids.hpp"

#include <caf/actor_system_config.hpp>

#include "protocols/error.hpp"

// Every message type listed in the block is included here (see type_ids.hpp).
#include "protocols/dhcp.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/informer.hpp"
#include "protocols/kube_object.hpp"
#include "protocols/leader_elector.hpp"

namespace podvisor::protocols {

void register_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::podvisor>();
  add_error_category(cfg);
}

} // namespace podvisor::protocols
