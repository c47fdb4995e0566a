#pragma once
// libvirt's process-wide event loop, shared by every libvirt_connection: libvirt allows
// one default event implementation per process (virEventRegisterDefaultImpl, once), and
// the remote driver's keepalive, close callbacks and all domain events are dispatched
// from it. One thread runs virEventRunDefaultImpl while at least one connection holds
// the loop; when the last one lets go (or at process exit) the thread is woken through a
// timeout registered for that purpose and joined.
//
// Internal to podvisor_virt_libvirt (no libvirt types appear here).

#include <functional>

namespace podvisor::virt::detail {

/// Sets up libvirt once per process: virInitialize, an error handler that prints nothing
/// (errors are read with virGetLastError and classified by the caller), and the default
/// event implementation. Safe to call from any thread, any number of times.
void init_libvirt_once();

/// Starts the event loop thread if this is the first holder. Pair with release_event_loop.
void acquire_event_loop();

/// Stops and joins the event loop thread when this was the last holder. Called on the
/// loop thread itself (a callback that drops the last connection), it lets the thread
/// finish on its own instead of joining itself.
void release_event_loop();

/// Runs `fn` once on the event loop thread, soon. The loop must be held.
void post_to_event_loop(std::function<void()> fn);

} // namespace podvisor::virt::detail
