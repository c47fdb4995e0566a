#include "kube/scheduler/fit_error.hpp"

#include <algorithm>
#include <vector>

namespace podvisor::kube::scheduler {

std::string fit_error_message(std::size_t node_count, const std::map<std::string, filter_reasons>& unfit) {
  if (node_count == 0)
    return std::string(no_nodes_available);
  std::map<std::string, std::size_t> histogram;
  for (const auto& [node, reasons] : unfit)
    for (const auto& r : reasons)
      ++histogram[r];
  std::vector<std::string> counted;
  counted.reserve(histogram.size());
  for (const auto& [r, n] : histogram)
    counted.push_back(std::to_string(n) + " " + r);
  std::sort(counted.begin(), counted.end());
  std::string out = "0/" + std::to_string(node_count) + " nodes are available: ";
  for (std::size_t i = 0; i < counted.size(); ++i) {
    if (i > 0)
      out += ", ";
    out += counted[i];
  }
  out += ".";
  return out;
}

} // namespace podvisor::kube::scheduler
