#pragma once
// Content negotiation for the two Accept headers where the answer's shape depends on it:
// discovery (/api, /apis: legacy APIVersions/APIGroupList, or the aggregated
// apidiscovery.k8s.io/v2 APIGroupDiscoveryList) and tables (as=Table;g=meta.k8s.io).
//
// The header is parsed into media ranges rather than searched for substrings: kubectl
// asks for "...;v=v2;as=APIGroupDiscoveryList,...;v=v2beta1;..." and "v=v2beta1" contains
// "v=v2"; kubectl 1.27-1.29 ask for v2beta1 only and must get the legacy form, because
// this server does not serve v2beta1.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace podvisor::kube::apiserver {

/// One media range of an Accept header.
struct media_range {
  std::string type;    ///< "application" (lower-cased)
  std::string subtype; ///< "json" (lower-cased)
  /// Parameters other than q; names lower-cased, values as sent (unquoted).
  std::map<std::string, std::string> params;
  double q = 1.0;
};

/// Parses an Accept header; malformed ranges are skipped. Ranges come back in order of
/// preference: by q, highest first, ties in header order; ranges with q=0 are dropped.
std::vector<media_range> parse_accept(std::string_view header);

/// The Content-Type of an aggregated discovery response. Exactly this: with plain
/// application/json kubectl parses the body as legacy discovery and sees no resources.
inline constexpr std::string_view aggregated_discovery_content_type =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// The form of a discovery response.
struct discovery_format {
  bool aggregated = false;
  /// The Content-Type to send.
  std::string content_type = "application/json";
};

/// Decides between aggregated (only when a range asks for application/json with
/// g=apidiscovery.k8s.io, v=v2 and as=APIGroupDiscoveryList before any acceptable legacy
/// range) and legacy discovery (everything else, an empty header included).
discovery_format negotiate_discovery(std::string_view accept);

/// The form of a resource GET/list/watch response.
struct table_format {
  bool table = false;
  /// "meta.k8s.io/v1" or "meta.k8s.io/v1beta1" when table is true.
  std::string api_version;
  /// The Content-Type to send.
  std::string content_type = "application/json";
};

/// Decides whether to answer with a Table: when a JSON range with as=Table,
/// g=meta.k8s.io and v=v1 or v1beta1 comes before any acceptable plain range.
table_format negotiate_table(std::string_view accept);

} // namespace podvisor::kube::apiserver
