#include "virt/libvirt/device_names.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <mutex>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libvirt/virterror.h>

namespace podvisor::virt {

namespace {

constexpr std::string_view user_alias_prefix = "ua-";

bool named(const xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, reinterpret_cast<const xmlChar*>(name)) != 0;
}

/// The attribute's value ("" when absent).
std::string attribute(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr)
    return {};
  std::string out{reinterpret_cast<const char*>(v)};
  xmlFree(v);
  return out;
}

/// target dev → NAME of <alias name="ua-NAME">, for one <interface> or <disk>.
void add_device(const xmlNode* device, std::map<std::string, std::string>& out) {
  std::string target, alias;
  for (const xmlNode* c = device->children; c != nullptr; c = c->next) {
    if (named(c, "target"))
      target = attribute(c, "dev");
    else if (named(c, "alias"))
      alias = attribute(c, "name");
  }
  if (target.empty() || !alias.starts_with(user_alias_prefix) || alias.size() == user_alias_prefix.size())
    return;
  out.emplace(std::move(target), alias.substr(user_alias_prefix.size()));
}

struct doc_free {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

} // namespace

expected<device_names> parse_device_names(std::string_view domain_xml) {
  // libxml2 wants its global state set up once before threads parse.
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  if (domain_xml.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return error{errc::parse_error, "domain XML too large"};
  // NONET: never fetch anything; NOERROR/NOWARNING: libxml2 prints nothing itself.
  std::unique_ptr<xmlDoc, doc_free> doc{xmlReadMemory(domain_xml.data(), static_cast<int>(domain_xml.size()),
                                                      "domain.xml", nullptr,
                                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)};
  if (!doc)
    return error{errc::parse_error, "domain XML does not parse"};
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || !named(root, "domain"))
    return error{errc::parse_error, "domain XML without a <domain> root"};
  device_names out;
  for (const xmlNode* d = root->children; d != nullptr; d = d->next) {
    if (!named(d, "devices"))
      continue;
    for (const xmlNode* dev = d->children; dev != nullptr; dev = dev->next) {
      if (named(dev, "interface"))
        add_device(dev, out.interfaces);
      else if (named(dev, "disk"))
        add_device(dev, out.disks);
    }
  }
  return out;
}

void decode_device_stats(virTypedParameterPtr params, int n, const device_names& names, domain_stats& out) {
  if (params == nullptr || n <= 0)
    return;
  auto count = [&](const std::string& key) {
    unsigned int v = 0;
    if (virTypedParamsGetUInt(params, n, key.c_str(), &v) <= 0)
      virResetLastError();
    return v;
  };
  auto text = [&](const std::string& key) {
    const char* v = nullptr;
    if (virTypedParamsGetString(params, n, key.c_str(), &v) <= 0)
      virResetLastError();
    return std::string{v ? v : ""};
  };
  // Absent counters (a driver that does not report one) stay 0.
  auto counter = [&](const std::string& key) {
    unsigned long long v = 0;
    if (virTypedParamsGetULLong(params, n, key.c_str(), &v) <= 0)
      virResetLastError();
    return static_cast<std::uint64_t>(v);
  };
  // A domain has a handful of devices; the bound keeps a wrong count from spinning.
  constexpr unsigned int max_devices = 1024;
  for (unsigned int i = 0, nets = std::min(count("net.count"), max_devices); i < nets; ++i) {
    const std::string p = "net." + std::to_string(i) + ".";
    interface_stats st;
    st.name = vmi_device_name(names.interfaces, text(p + "name"));
    st.rx_bytes = counter(p + "rx.bytes");
    st.rx_packets = counter(p + "rx.pkts");
    st.rx_errors = counter(p + "rx.errs");
    st.rx_drops = counter(p + "rx.drop");
    st.tx_bytes = counter(p + "tx.bytes");
    st.tx_packets = counter(p + "tx.pkts");
    st.tx_errors = counter(p + "tx.errs");
    st.tx_drops = counter(p + "tx.drop");
    out.interfaces.push_back(std::move(st));
  }
  for (unsigned int i = 0, blocks = std::min(count("block.count"), max_devices); i < blocks; ++i) {
    const std::string p = "block." + std::to_string(i) + ".";
    block_stats st;
    st.name = vmi_device_name(names.disks, text(p + "name"));
    st.read_bytes = counter(p + "rd.bytes");
    st.read_requests = counter(p + "rd.reqs");
    st.write_bytes = counter(p + "wr.bytes");
    st.write_requests = counter(p + "wr.reqs");
    out.blocks.push_back(std::move(st));
  }
}

std::string vmi_device_name(const std::map<std::string, std::string>& names, const std::string& target) {
  auto it = names.find(target);
  return it == names.end() ? target : it->second;
}

} // namespace podvisor::virt
