#include "virt/libvirt/device_stats.hpp"

#include <algorithm>
#include <string>

#include <libvirt/virterror.h>

namespace podvisor::virt {

void decode_device_stats(virTypedParameterPtr params, int n, domain_stats& out) {
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
    st.name = text(p + "name");
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
    st.name = text(p + "name");
    st.read_bytes = counter(p + "rd.bytes");
    st.read_requests = counter(p + "rd.reqs");
    st.write_bytes = counter(p + "wr.bytes");
    st.write_requests = counter(p + "wr.reqs");
    out.blocks.push_back(std::move(st));
  }
}

} // namespace podvisor::virt
