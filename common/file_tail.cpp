#include "common/file_tail.hpp"

#include <deque>
#include <fstream>

namespace podvisor {

std::string last_lines(const std::filesystem::path& path, std::size_t n) {
  std::ifstream in(path);
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    lines.push_back(line);
    if (lines.size() > n)
      lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines)
    out += (out.empty() ? "" : " | ") + l;
  return out;
}

} // namespace podvisor
