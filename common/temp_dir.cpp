#include "common/temp_dir.hpp"

#include <fstream>
#include <random>
#include <system_error>

#include "common/error.hpp"

namespace podvisor {

scoped_temp_dir::scoped_temp_dir(std::string_view prefix, const std::filesystem::path& parent) {
  std::error_code ec;
  auto base = parent.empty() ? std::filesystem::temp_directory_path(ec) : parent;
  PODVISOR_CHECK(!ec, "no temporary directory to work in");
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    path_ = base / (std::string(prefix) + std::to_string(rd()));
    if (std::filesystem::create_directory(path_, ec))
      return;
  }
  PODVISOR_CHECK(false, "cannot create a temporary directory");
}

scoped_temp_dir::~scoped_temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path scoped_temp_dir::write(const std::string& name, const std::string& content) const {
  auto file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
  return file;
}

} // namespace podvisor
