#pragma once
// The HTTP-independent request and response of the embedded API server. The HTTP adapter
// (http_server.cpp) turns cpp-httplib's request into an `api_request` and writes the
// `api_response` back; everything in between is plain C++ that tests and the fuzzer
// drive directly.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kube/apiserver/server/query.hpp"

namespace podvisor::kube::apiserver {

class watch_session;

/// One request as the API layer sees it.
struct api_request {
  std::string method; ///< "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string path;   ///< percent-decoded, without the query
  query_params query;
  std::string accept;
  std::string content_type;
  std::string authorization; ///< the Authorization header, "" when absent
  std::string body;
};

/// The answer: a complete body, or a watch stream to pump.
struct api_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// Extra headers (e.g. "Warning" for fieldValidation=Warn).
  std::vector<std::pair<std::string, std::string>> headers;
  /// Set for watch requests: the adapter streams it with chunked encoding.
  std::shared_ptr<watch_session> watch;
};

} // namespace podvisor::kube::apiserver
