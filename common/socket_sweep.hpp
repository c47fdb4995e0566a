#pragma once
// Ending the idle connections of an HTTP server that does not expose its sockets.
//
// cpp-httplib 0.11 (the API server's and the agent's introspection front) looks at its
// stop flag only between requests: a worker waiting on an idle keep-alive connection (or
// a connection still queued) first sleeps out the whole keep-alive timeout, and stopping
// joins every worker, so one idle client delays a shutdown by that timeout. Shutting the
// read side of the connections accepted on the server's port ends those waits at once
// (they read EOF) while a request being answered still writes its response.

namespace podvisor {

/// The local TCP port of socket `fd` (IPv4 or IPv6), or -1.
int local_port(int fd);

/// Shuts the read side (SHUT_RD) of every connected socket of this process whose local
/// port is `port` — the connections a server listening on `port` accepted; the listener
/// itself (no peer) is left alone. Walks /proc/self/fd.
void shutdown_accepted_connections(int port);

} // namespace podvisor
