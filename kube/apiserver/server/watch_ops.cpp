// GET ...?watch=true.

#include <algorithm>

#include "kube/apiserver/resources/accept.hpp"
#include "kube/apiserver/server/filters.hpp"
#include "kube/apiserver/server/resource_ops.hpp"
#include "kube/apiserver/server/responses.hpp"
#include "kube/apiserver/server/watch_session.hpp"

namespace podvisor::kube::apiserver {

api_response watch_objects(op_context& c) {
  const auto& q = c.request.query;
  std::string why;
  auto filter = parse_filter(c.entry, q, why);
  if (!filter)
    return error_response(400, "BadRequest", why);

  // WatchList (sendInitialEvents) is not implemented; client-go falls back to
  // list+watch on 422, as the reference documents.
  auto initial = bool_param(q, "sendInitialEvents", false);
  if (!initial)
    return error_response(400, "BadRequest", "invalid boolean value for sendInitialEvents");
  if (*initial)
    return error_response(422, "Invalid", "sendInitialEvents: Forbidden: sendInitialEvents is not supported by this server");

  auto bookmarks = bool_param(q, "allowWatchBookmarks", false);
  if (!bookmarks)
    return error_response(400, "BadRequest", "invalid boolean value for allowWatchBookmarks");
  bool malformed = false;
  auto timeout = int_param(q, "timeoutSeconds", malformed);
  if (malformed)
    return error_response(400, "BadRequest", "timeoutSeconds must be a non-negative integer");
  auto rv_text = param(q, "resourceVersion");
  auto from_rv = parse_resource_version(rv_text);
  if (!from_rv)
    return error_response(400, "BadRequest", "invalid resourceVersion \"" + std::string(rv_text) + "\"");

  watch_request request;
  request.resource = store_resource(c.entry);
  if (!c.path.namespace_.empty())
    request.namespace_ = c.path.namespace_;
  request.from_rv = *from_rv;
  // A watch on one name (kubectl get NAME -w, wait, delete) carries metadata.name; the
  // store filters by namespace only, the session applies the rest.
  auto stream = c.server.db().watch(request);
  if (!stream) {
    if (stream.code() == store_errc::gone) {
      // In-stream ERROR, as kube-apiserver's watch cache answers a too-old RV.
      auto body = R"({"type":"ERROR","object":)" + status_json(410, "Expired", stream.error().message).dump() + "}\n";
      return text_response(200, std::move(body));
    }
    return store_error_response(stream.error(), c.entry.group, c.entry.plural, "");
  }

  watch_session_options options;
  options.bookmarks = *bookmarks;
  options.bookmark_interval = c.server.options().bookmark_interval;
  auto max = c.server.options().max_watch_timeout;
  auto duration = timeout && *timeout > 0 ? std::min<std::chrono::seconds>(std::chrono::seconds(*timeout), max) : max;
  options.deadline = std::chrono::steady_clock::now() + duration;
  options.start_rv = *from_rv;
  auto format = negotiate_table(c.request.accept);
  if (format.table) {
    table_options t;
    t.now = c.server.now();
    t.api_version = format.api_version;
    options.table = t;
  }
  auto entry = c.server.registry().find(c.entry.group, c.entry.version, c.entry.plural);
  api_response r;
  r.status = 200;
  // The `stream=watch` parameter (which clients ignore: they take the media type) also
  // keeps cpp-httplib from compressing the stream, which would hold events in the
  // compressor's buffer instead of sending each one as it happens.
  r.content_type = (format.table ? format.content_type : std::string("application/json")) + ";stream=watch";
  r.watch = std::make_shared<watch_session>(c.server.db(), std::move(stream.value()), std::move(entry),
                                            std::move(*filter), std::move(options));
  return r;
}

} // namespace podvisor::kube::apiserver
