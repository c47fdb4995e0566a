#pragma once
// libvirt's numbers in Podvisor's words: error classification and the decoding of
// lifecycle events, domain states and job operations. Pure functions over the plain
// integers libvirt hands out (virErrorNumber, virErrorDomain, virDomainEventType and its
// detail enums, virDomainState and its reason enums), so they are table-tested without a
// connection and this header needs no libvirt include.

#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "virt/libvirt/connection.hpp"

namespace podvisor::virt {

/// Classifies a libvirt error (virError.code, virError.domain) into an errc:
/// NO_DOMAIN → not_found; OPERATION_INVALID → conflict; DOM_EXIST → already_exists;
/// NO_CONNECT, SYSTEM_ERROR, RPC, AUTH_* (and any INTERNAL_ERROR from the RPC layer) →
/// unavailable; XML_ERROR, XML_DETAIL, XML_INVALID_SCHEMA, INVALID_ARG → invalid_argument;
/// NO_SUPPORT, ARGUMENT_UNSUPPORTED → unsupported; OPERATION_TIMEOUT, AGENT_UNRESPONSIVE →
/// timeout; OPERATION_DENIED → forbidden; OPERATION_ABORTED → cancelled; anything else →
/// internal.
errc classify_libvirt_error(int code, int domain);

/// A lifecycle event (virConnectDomainEventCallback's `event` and `detail`) decoded:
/// the kind, the detail in words ("booted", "destroyed", ...) and, for stopped, whether
/// the guest went away gracefully (detail "shutdown" only). An unknown detail decodes to
/// "unknown"; an event type this build does not know (a newer libvirt) to nothing, so the
/// caller drops it rather than guessing a kind.
std::optional<domain_event> decode_lifecycle_event(std::string domain, int event, int detail);

/// virDomainGetState's state and reason decoded; the reason in words ("booted",
/// "shutdown", "destroyed", "crashed", "user", ...), "unknown" when libvirt does not say.
domain_status decode_domain_state(int state, int reason);

/// virDomainJobOperation in words ("migration_out", "save", ...); "unknown" otherwise.
std::string_view job_operation_name(int operation);

} // namespace podvisor::virt
