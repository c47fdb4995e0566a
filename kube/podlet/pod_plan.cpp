#include "kube/podlet/pod_plan.hpp"

#include <algorithm>
#include <set>

#include "common/base64.hpp"
#include "kube/api/quantity.hpp"
#include "net/dhcp/address.hpp"

namespace podvisor::kube::podlet {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

const json& obj(const json& j, const char* key) {
  static const json empty = json::object();
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

const json& arr(const json& j, const char* key) {
  static const json empty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

error bad(const std::string& what) { return error{errc::invalid_argument, what}; }

/// A quantity field in the unit `milli` picks; nothing when absent.
expected<std::optional<std::int64_t>> limit(const json& container, const char* resource, bool milli) {
  const auto& limits = obj(obj(container, "resources"), "limits");
  auto it = limits.find(resource);
  if (it == limits.end())
    return std::optional<std::int64_t>{};
  std::string text = it->is_string() ? it->get<std::string>() : it->is_number() ? it->dump() : std::string{};
  std::string why;
  auto q = api::quantity::parse(text, &why);
  if (!q)
    return bad(std::string{"limits."} + resource + " '" + text + "': " + why);
  return std::optional<std::int64_t>{milli ? q->milli_value() : q->value()};
}

/// The data of a ConfigMap (data + binaryData) or Secret (data base64, stringData).
expected<std::map<std::string, std::string>> object_data(const json& o, bool secret) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : obj(o, "data").items()) {
    if (!v.is_string())
      continue;
    if (secret) {
      auto d = decode_base64(v.get<std::string>());
      if (!d)
        return d.error().with_context("secret key " + k);
      out[k] = *d;
    } else {
      out[k] = v.get<std::string>();
    }
  }
  for (auto& [k, v] : obj(o, secret ? "stringData" : "binaryData").items())
    if (v.is_string()) {
      if (secret) {
        out[k] = v.get<std::string>();
      } else {
        auto d = decode_base64(v.get<std::string>());
        if (!d)
          return d.error().with_context("configMap binaryData key " + k);
        out[k] = *d;
      }
    }
  return out;
}

bool safe_relative(const std::string& p) {
  if (p.empty() || p.front() == '/')
    return false;
  std::size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find('/', start);
    auto part = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part == ".." || part.empty())
      return false;
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return true;
}

expected<volume_plan> plan_volume(const json& v, const std::string& ns, const object_resolver& resolve) {
  volume_plan p;
  p.name = str(v, "name");
  if (p.name.empty())
    return bad("a volume without a name");
  const std::string where = "volume '" + p.name + "'";
  if (v.contains("emptyDir")) {
    const auto& e = obj(v, "emptyDir");
    if (str(e, "medium") == "Memory") {
      p.type = volume_plan::kind::memory_dir;
      if (e.contains("sizeLimit")) {
        std::string why;
        auto q = api::quantity::parse(e["sizeLimit"].is_string() ? e["sizeLimit"].get<std::string>() : e["sizeLimit"].dump(), &why);
        if (!q)
          return bad(where + ": emptyDir.sizeLimit: " + why);
        p.size_limit = q->value();
      }
    } else if (!str(e, "medium").empty()) {
      return error{errc::unsupported, where + ": emptyDir medium '" + str(e, "medium") + "' is not supported (use \"\" or Memory)"};
    }
    return p;
  }
  if (v.contains("hostPath")) {
    const auto& h = obj(v, "hostPath");
    p.type = volume_plan::kind::host_path;
    p.host_path = str(h, "path");
    p.host_path_type = str(h, "type");
    if (p.host_path.empty() || p.host_path.front() != '/')
      return bad(where + ": hostPath.path must be an absolute path");
    static const std::set<std::string> types{"",     "Directory", "DirectoryOrCreate", "File", "FileOrCreate",
                                             "Socket", "CharDevice", "BlockDevice"};
    if (!types.count(p.host_path_type))
      return bad(where + ": unknown hostPath.type '" + p.host_path_type + "'");
    return p;
  }
  const bool secret = v.contains("secret");
  if (secret || v.contains("configMap")) {
    const auto& src = obj(v, secret ? "secret" : "configMap");
    const std::string kind = secret ? "Secret" : "ConfigMap";
    const std::string object_name = str(src, secret ? "secretName" : "name");
    const bool optional = src.value("optional", false);
    p.type = volume_plan::kind::files;
    unsigned mode = 0644;
    if (auto it = src.find("defaultMode"); it != src.end() && it->is_number_integer())
      mode = it->get<unsigned>() & 0777;
    if (!resolve)
      return error{errc::unsupported, where + ": no resolver for " + kind + " volumes"};
    auto o = resolve(kind, ns, object_name);
    if (!o) {
      if (o.error() == errc::not_found && optional)
        return p;
      return o.error().with_context(where + ": " + kind + " " + ns + "/" + object_name);
    }
    auto data = object_data(*o, secret);
    if (!data)
      return data.error().with_context(where);
    const auto& items = arr(src, "items");
    if (items.empty()) {
      for (auto& [k, content] : *data)
        p.files.push_back(volume_file{k, content, mode});
      return p;
    }
    for (const auto& item : items) {
      const std::string key = str(item, "key"), path = str(item, "path");
      auto it = data->find(key);
      if (it == data->end()) {
        if (optional)
          continue;
        return error{errc::not_found, where + ": key '" + key + "' is not in " + kind + " " + ns + "/" + object_name};
      }
      if (!safe_relative(path))
        return bad(where + ": item path '" + path + "' must be relative without '..'");
      unsigned m = mode;
      if (auto mi = item.find("mode"); mi != item.end() && mi->is_number_integer())
        m = mi->get<unsigned>() & 0777;
      p.files.push_back(volume_file{path, it->second, m});
    }
    return p;
  }
  std::string type = "an empty source";
  for (auto& [k, _] : v.items())
    if (k != "name") {
      type = k;
      break;
    }
  return error{errc::unsupported, where + " of type " + type +
                                       " is not supported by the simulated node (hostPath, emptyDir, configMap, secret are)"};
}

expected<std::string> env_value(const json& e, const json& pod, const std::string& pod_ip,
                                const object_resolver& resolve) {
  if (e.contains("value"))
    return e["value"].is_string() ? e["value"].get<std::string>() : std::string{};
  const auto& from = obj(e, "valueFrom");
  const std::string name = str(e, "name");
  if (from.contains("fieldRef")) {
    const std::string path = str(obj(from, "fieldRef"), "fieldPath");
    const auto& meta = obj(pod, "metadata");
    if (path == "metadata.name")
      return str(meta, "name");
    if (path == "metadata.namespace")
      return str(meta, "namespace");
    if (path == "metadata.uid")
      return str(meta, "uid");
    if (path == "spec.nodeName")
      return str(obj(pod, "spec"), "nodeName");
    if (path == "status.podIP")
      return pod_ip;
    return error{errc::unsupported, "env " + name + ": fieldRef " + path + " is not supported"};
  }
  const bool secret = from.contains("secretKeyRef");
  if (secret || from.contains("configMapKeyRef")) {
    const auto& ref = obj(from, secret ? "secretKeyRef" : "configMapKeyRef");
    const std::string kind = secret ? "Secret" : "ConfigMap";
    const std::string ns = str(obj(pod, "metadata"), "namespace");
    if (!resolve)
      return error{errc::unsupported, "env " + name + ": no resolver for " + kind};
    auto o = resolve(kind, ns, str(ref, "name"));
    if (!o)
      return o.error().with_context("env " + name);
    auto data = object_data(*o, secret);
    if (!data)
      return data.error().with_context("env " + name);
    auto it = data->find(str(ref, "key"));
    if (it == data->end())
      return error{errc::not_found, "env " + name + ": key '" + str(ref, "key") + "' not in " + kind + " " + str(ref, "name")};
    return it->second;
  }
  return error{errc::unsupported, "env " + name + ": this valueFrom is not supported"};
}

} // namespace

expected<pod_plan> plan_pod(const json& pod, const std::string& pod_ip, const object_resolver& resolve) {
  if (!pod.is_object())
    return bad("the pod is not a JSON object");
  pod_plan p;
  const auto& meta = obj(pod, "metadata");
  const auto& spec = obj(pod, "spec");
  p.uid = str(meta, "uid");
  p.namespace_ = str(meta, "namespace");
  p.name = str(meta, "name");
  p.node_name = str(spec, "nodeName");
  p.host_network = spec.value("hostNetwork", false);
  if (p.uid.empty() || p.name.empty())
    return bad("the pod has no metadata.uid or metadata.name");
  if (p.uid.find('/') != std::string::npos || p.uid.find("..") != std::string::npos)
    return bad("pod uid '" + p.uid + "' is not a plain name");
  const std::string pod_ref = "pod " + p.namespace_ + "/" + p.name;
  if (!arr(spec, "initContainers").empty())
    return error{errc::unsupported, pod_ref + ": initContainers are not supported by the simulated node yet"};
  for (const auto& v : arr(spec, "volumes")) {
    auto vp = plan_volume(v, p.namespace_, resolve);
    if (!vp)
      return vp.error().with_context(pod_ref);
    p.volumes.push_back(std::move(*vp));
  }
  std::int64_t mem = 0, cpu = 0;
  bool mem_unlimited = false, cpu_unlimited = false;
  const auto& containers = arr(spec, "containers");
  if (containers.empty())
    return bad(pod_ref + " has no containers");
  for (const auto& c : containers) {
    container_plan cp;
    cp.name = str(c, "name");
    const std::string where = pod_ref + " container '" + cp.name + "'";
    if (cp.name.empty() || cp.name.find('/') != std::string::npos)
      return bad(pod_ref + ": a container without a valid name");
    for (const char* key : {"command", "args"})
      for (const auto& a : arr(c, key))
        cp.argv.push_back(a.is_string() ? a.get<std::string>() : a.dump());
    if (arr(c, "command").empty())
      return bad(where + ": needs a command (images are ignored on simulated nodes, so there is no entrypoint)");
    cp.working_dir = str(c, "workingDir");
    for (const auto& e : arr(c, "env")) {
      auto v = env_value(e, pod, pod_ip, resolve);
      if (!v)
        return v.error().with_context(where);
      cp.env.push_back(str(e, "name") + "=" + *v);
    }
    for (const auto& m : arr(c, "volumeMounts")) {
      mount_plan mp{str(m, "name"), str(m, "mountPath"), str(m, "subPath"), m.value("readOnly", false)};
      auto vol = std::find_if(p.volumes.begin(), p.volumes.end(), [&](const auto& v) { return v.name == mp.volume; });
      if (vol == p.volumes.end())
        return bad(where + ": volumeMount of unknown volume '" + mp.volume + "'");
      if (mp.mount_path.empty() || mp.mount_path.front() != '/')
        return bad(where + ": mountPath '" + mp.mount_path + "' must be absolute");
      if (!mp.sub_path.empty() && !safe_relative(mp.sub_path))
        return bad(where + ": subPath '" + mp.sub_path + "' must be relative without '..'");
      if (vol->type == volume_plan::kind::files)
        mp.read_only = true; // configMap and secret volumes are always read-only
      auto same = std::find_if(p.mounts.begin(), p.mounts.end(), [&](const auto& o) { return o.mount_path == mp.mount_path; });
      if (same != p.mounts.end()) {
        if (!(*same == mp))
          return bad(where + ": mountPath " + mp.mount_path +
                     " is used differently by another container, and containers share the pod's mounts here");
        continue;
      }
      p.mounts.push_back(std::move(mp));
    }
    auto m = limit(c, "memory", false);
    if (!m)
      return m.error().with_context(where);
    auto k = limit(c, "cpu", true);
    if (!k)
      return k.error().with_context(where);
    if (*m)
      mem += **m;
    else
      mem_unlimited = true;
    if (*k)
      cpu += **k;
    else
      cpu_unlimited = true;
    p.containers.push_back(std::move(cp));
  }
  if (!mem_unlimited)
    p.memory_limit_bytes = mem;
  if (!cpu_unlimited)
    p.cpu_limit_millis = cpu;
  return p;
}

expected<std::string> allocate_ip(const std::string& cidr, const std::vector<std::string>& used) {
  auto slash = cidr.find('/');
  auto base = net::dhcp::parse_ipv4(cidr.substr(0, slash));
  int prefix = -1;
  if (slash != std::string::npos) {
    try {
      prefix = std::stoi(cidr.substr(slash + 1));
    } catch (...) {
    }
  }
  if (!base || prefix < 8 || prefix > 30)
    return bad("pod CIDR '" + cidr + "' is not an IPv4 subnet between /8 and /30");
  const std::uint32_t mask = ~std::uint32_t{0} << (32 - prefix);
  const std::uint32_t network = base->to_uint() & mask;
  const std::uint32_t broadcast = network | ~mask;
  std::set<std::uint32_t> taken;
  for (const auto& u : used)
    if (auto a = net::dhcp::parse_ipv4(u))
      taken.insert(a->to_uint());
  for (std::uint32_t a = network + 2; a < broadcast; ++a)
    if (!taken.count(a))
      return net::dhcp::to_string(net::dhcp::ipv4_address::from_uint(a));
  return error{errc::resource_exhausted, "pod CIDR " + cidr + " has no free address"};
}

expected<std::string> decode_base64(const std::string& text) {
  // Strict, as the API server stores Secret data (Go's base64.StdEncoding).
  if (auto decoded = base64_decode(text))
    return std::move(*decoded);
  return error{errc::parse_error, "not valid base64 (standard alphabet, padded to a multiple of 4)"};
}

} // namespace podvisor::kube::podlet
