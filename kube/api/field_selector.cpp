// Field selectors: the parser of k8s.io/apimachinery/pkg/fields (selector.go) and the
// per-kind tables of selectable fields that Kubernetes keeps next to each registry
// (pkg/registry/core/*/strategy.go, ToSelectableFields / GetAttrs).
//
// The tables mirror core/v1 (same names, same value rendering):
//   every kind   metadata.name, metadata.namespace
//   Pod          spec.nodeName, spec.restartPolicy, spec.schedulerName,
//                spec.serviceAccountName, spec.hostNetwork, status.phase, status.podIP,
//                status.nominatedNodeName
//   Event        involvedObject.{kind,namespace,name,uid,apiVersion,resourceVersion,
//                fieldPath}, reason, reportingComponent, source, type
//   Node         spec.unschedulable
//   Namespace    status.phase
//   Secret       type
//   VirtualMachineInstance  status.phase, status.nodeName
//
// Two deliberate differences:
// - Kubernetes answers for cluster-scoped kinds (Node, Namespace) that metadata.namespace
//   is "not supported"; here it is accepted and compares against "" (always "" for those
//   objects), which keeps one rule for every kind.
// - KubeVirt's CRDs declare no selectable fields, so a real cluster refuses
//   status.phase and status.nodeName on VMIs. Podvisor's embedded server accepts them
//   because `kubectl get vmi --field-selector status.phase=Running` is handy; Podvisor's
//   own components must not rely on them (virt-handler selects its VMIs by the
//   kubevirt.io/nodeName label, as KubeVirt does), or they would break on a real cluster.

#include "kube/api/selector.hpp"

#include <algorithm>
#include <initializer_list>

namespace podvisor::kube::api {

namespace {

using json = nlohmann::json;

// The member at `path` or nullptr when any step is missing or not an object.
const json* find_path(const json& object, std::initializer_list<std::string_view> path) {
  const json* cur = &object;
  for (auto step : path) {
    if (!cur->is_object())
      return nullptr;
    auto it = cur->find(step);
    if (it == cur->end())
      return nullptr;
    cur = &*it;
  }
  return cur;
}

// A string field as Go's struct would hold it: "" when absent (or, in an invalid object,
// not a string).
std::string string_at(const json& object, std::initializer_list<std::string_view> path) {
  const json* v = find_path(object, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::string string_or(const json& object, std::initializer_list<std::string_view> path,
                      std::string_view fallback) {
  auto s = string_at(object, path);
  return s.empty() ? std::string(fallback) : s;
}

// strconv.FormatBool of a bool field (false when absent).
std::string bool_at(const json& object, std::initializer_list<std::string_view> path) {
  const json* v = find_path(object, path);
  return v != nullptr && v->is_boolean() && v->get<bool>() ? "true" : "false";
}

// Pods report the first of status.podIPs; a pod written with only status.podIP still
// has it (the v1 conversion fills podIPs from podIP).
std::string pod_ip(const json& pod) {
  const json* ips = find_path(pod, {"status", "podIPs"});
  if (ips != nullptr && ips->is_array() && !ips->empty())
    return string_at((*ips)[0], {"ip"});
  return string_at(pod, {"status", "podIP"});
}

// Events: `source` is source.component, or reportingComponent when that is empty.
std::string event_source(const json& event) {
  auto component = string_at(event, {"source", "component"});
  return component.empty() ? string_at(event, {"reportingComponent"}) : component;
}

using extractor = std::string (*)(const json&);

struct selectable_field {
  std::string_view kind; ///< empty: every kind
  std::string_view field;
  extractor value;
};

// Pods are read with the API defaults applied (restartPolicy Always, schedulerName
// default-scheduler), so an object stored before defaulting still compares as a real
// API server, which always stores defaulted pods, would compare it.
constexpr selectable_field fields_table[] = {
  {"", "metadata.name", [](const json& o) { return string_at(o, {"metadata", "name"}); }},
  {"", "metadata.namespace", [](const json& o) { return string_at(o, {"metadata", "namespace"}); }},

  {"Pod", "spec.nodeName", [](const json& o) { return string_at(o, {"spec", "nodeName"}); }},
  {"Pod", "spec.restartPolicy",
   [](const json& o) { return string_or(o, {"spec", "restartPolicy"}, "Always"); }},
  {"Pod", "spec.schedulerName",
   [](const json& o) { return string_or(o, {"spec", "schedulerName"}, "default-scheduler"); }},
  {"Pod", "spec.serviceAccountName",
   [](const json& o) { return string_at(o, {"spec", "serviceAccountName"}); }},
  {"Pod", "spec.hostNetwork", [](const json& o) { return bool_at(o, {"spec", "hostNetwork"}); }},
  {"Pod", "status.phase", [](const json& o) { return string_at(o, {"status", "phase"}); }},
  {"Pod", "status.podIP", [](const json& o) { return pod_ip(o); }},
  {"Pod", "status.nominatedNodeName",
   [](const json& o) { return string_at(o, {"status", "nominatedNodeName"}); }},

  {"Event", "involvedObject.kind", [](const json& o) { return string_at(o, {"involvedObject", "kind"}); }},
  {"Event", "involvedObject.namespace",
   [](const json& o) { return string_at(o, {"involvedObject", "namespace"}); }},
  {"Event", "involvedObject.name", [](const json& o) { return string_at(o, {"involvedObject", "name"}); }},
  {"Event", "involvedObject.uid", [](const json& o) { return string_at(o, {"involvedObject", "uid"}); }},
  {"Event", "involvedObject.apiVersion",
   [](const json& o) { return string_at(o, {"involvedObject", "apiVersion"}); }},
  {"Event", "involvedObject.resourceVersion",
   [](const json& o) { return string_at(o, {"involvedObject", "resourceVersion"}); }},
  {"Event", "involvedObject.fieldPath",
   [](const json& o) { return string_at(o, {"involvedObject", "fieldPath"}); }},
  {"Event", "reason", [](const json& o) { return string_at(o, {"reason"}); }},
  {"Event", "reportingComponent", [](const json& o) { return string_at(o, {"reportingComponent"}); }},
  {"Event", "source", [](const json& o) { return event_source(o); }},
  {"Event", "type", [](const json& o) { return string_at(o, {"type"}); }},

  {"Node", "spec.unschedulable", [](const json& o) { return bool_at(o, {"spec", "unschedulable"}); }},

  {"Namespace", "status.phase", [](const json& o) { return string_at(o, {"status", "phase"}); }},

  {"Secret", "type", [](const json& o) { return string_at(o, {"type"}); }},

  {"VirtualMachineInstance", "status.phase", [](const json& o) { return string_at(o, {"status", "phase"}); }},
  {"VirtualMachineInstance", "status.nodeName",
   [](const json& o) { return string_at(o, {"status", "nodeName"}); }},
};

const selectable_field* lookup(std::string_view kind, std::string_view field) {
  for (const auto& f : fields_table)
    if (f.field == field && (f.kind.empty() || f.kind == kind))
      return &f;
  return nullptr;
}

// splitTerms: split at commas that are not escaped; escapes stay in the terms.
std::vector<std::string_view> split_terms(std::string_view selector) {
  std::vector<std::string_view> terms;
  if (selector.empty())
    return terms;
  std::size_t start = 0;
  bool in_slash = false;
  for (std::size_t i = 0; i < selector.size(); ++i) {
    char c = selector[i];
    if (in_slash)
      in_slash = false;
    else if (c == '\\')
      in_slash = true;
    else if (c == ',') {
      terms.push_back(selector.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(selector.substr(start));
  return terms;
}

// splitTerm: the first position where "!=", "==" or "=" starts (in that order of
// preference) splits field and value; the field part has no escaping.
bool split_term(std::string_view term, std::string_view& lhs, std::string_view& op,
                std::string_view& rhs) {
  static constexpr std::string_view operators[] = {"!=", "==", "="};
  for (std::size_t i = 0; i < term.size(); ++i) {
    for (auto candidate : operators) {
      if (term.substr(i, candidate.size()) == candidate) {
        lhs = term.substr(0, i);
        op = candidate;
        rhs = term.substr(i + candidate.size());
        return true;
      }
    }
  }
  return false;
}

// Length of the UTF-8 sequence starting with `lead` (1 for ASCII and stray bytes).
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xf0 && lead < 0xf8)
    return 4;
  if (lead >= 0xe0)
    return lead < 0xf0 ? 3 : 1;
  if (lead >= 0xc0)
    return 2;
  return 1;
}

// UnescapeValue: `\\`, `\,`, `\=` become the character; anything else after a
// backslash, a trailing backslash or a bare '=' or ',' is an error.
bool unescape_value(std::string_view s, std::string& out, std::string& why) {
  out.clear();
  if (s.find_first_of("\\,=") == std::string_view::npos) {
    out.assign(s);
    return true;
  }
  bool in_slash = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_slash) {
      if (c == '\\' || c == ',' || c == '=') {
        out.push_back(c);
        in_slash = false;
        continue;
      }
      auto n = std::min(utf8_length(static_cast<unsigned char>(c)), s.size() - i);
      why = "invalid field selector: invalid escape sequence: \\" + std::string(s.substr(i, n));
      return false;
    }
    if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      // Go prints the rune with %v, i.e. as its code point.
      why = "invalid field selector: unescapedRune character in value: "
            + std::to_string(static_cast<int>(c));
      return false;
    } else {
      out.push_back(c);
    }
  }
  if (in_slash) {
    why = "invalid field selector: invalid escape sequence: \\";
    return false;
  }
  return true;
}

} // namespace

std::string escape_field_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=')
      out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::optional<field_matcher> field_matcher::parse(std::string_view text, std::string* why) {
  auto terms = split_terms(text);
  std::sort(terms.begin(), terms.end()); // Go sorts the terms before parsing them
  field_matcher m;
  std::string error;
  for (auto term : terms) {
    if (term.empty())
      continue;
    std::string_view lhs, op, rhs;
    if (!split_term(term, lhs, op, rhs)) {
      error = "invalid selector: '" + std::string(text) + "'; can't understand '" + std::string(term) + "'";
    } else {
      field_requirement r{std::string(lhs), op == "!=", {}};
      if (unescape_value(rhs, r.value, error)) {
        m.requirements_.push_back(std::move(r));
        continue;
      }
    }
    if (why != nullptr)
      *why = std::move(error);
    return std::nullopt;
  }
  return m;
}

std::optional<field_matcher> field_matcher::parse_for_kind(std::string_view text, std::string_view kind,
                                                           std::string* why) {
  auto m = parse(text, why);
  if (!m || !m->supports(kind, why))
    return std::nullopt;
  return m;
}

bool field_matcher::supports(std::string_view kind, std::string* why) const {
  for (const auto& r : requirements_) {
    if (lookup(kind, r.field) == nullptr) {
      if (why != nullptr)
        *why = "field label not supported: " + r.field;
      return false;
    }
  }
  return true;
}

bool field_matcher::matches(const nlohmann::json& object, std::string_view kind) const {
  for (const auto& r : requirements_) {
    const auto* f = lookup(kind, r.field);
    if (f == nullptr)
      return false;
    if ((f->value(object) == r.value) == r.negated)
      return false;
  }
  return true;
}

std::optional<std::string> field_matcher::requires_exact_match(std::string_view field) const {
  for (const auto& r : requirements_)
    if (!r.negated && r.field == field)
      return r.value;
  return std::nullopt;
}

std::string field_matcher::to_string() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty())
      out += ',';
    out += r.field;
    out += r.negated ? "!=" : "=";
    out += escape_field_value(r.value);
  }
  return out;
}

std::vector<std::string_view> field_selector_fields(std::string_view kind) {
  std::vector<std::string_view> out;
  for (const auto& f : fields_table)
    if (f.kind.empty() || f.kind == kind)
      out.push_back(f.field);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> field_value(const nlohmann::json& object, std::string_view kind,
                                       std::string_view field) {
  const auto* f = lookup(kind, field);
  if (f == nullptr)
    return std::nullopt;
  return f->value(object);
}

} // namespace podvisor::kube::api
