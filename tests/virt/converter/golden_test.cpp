// Golden domain XML: every tests/testdata/domains/<case>.vmi.json, defaulted as the API
// server stores it and converted with the host facts in <case>.host.json, must give
// exactly the bytes of <case>.xml.
//
// To regenerate after an intended change: PODVISOR_UPDATE_GOLDEN=1 ctest -R golden
// (or run build/tests/virt_tests with that variable set), then review the diff.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch_test_macros.hpp>

#include "kube/api/kubevirt/defaults.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "virt/converter/converter.hpp"
#include "virt/domain/domain_xml.hpp"

using namespace podvisor;
using namespace podvisor::virt;
using kube::api::json;

namespace {

const std::filesystem::path golden_dir = std::filesystem::path(PODVISOR_SOURCE_DIR) / "tests/testdata/domains";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The host facts of one case, from its .host.json.
void apply_host_facts(const json& host, converter_input& in) {
  in.type = parse_enum<domain_type>(host.at("type").get<std::string>()).value();
  const json volumes = host.contains("volumes") ? host.at("volumes") : json::object();
  for (const auto& [name, v] : volumes.items()) {
    volume_fact f;
    f.path = v.at("path").get<std::string>();
    f.type = parse_enum<disk_source_type>(v.value("type", "file")).value();
    f.format = v.value("format", "raw");
    in.volumes[name] = f;
  }
  const json interfaces = host.contains("interfaces") ? host.at("interfaces") : json::object();
  for (const auto& [name, v] : interfaces.items())
    in.interfaces[name] = interface_fact{v.at("tap").get<std::string>(), v.value("mac", "")};
  in.serial_log_path = host.value("serialLogPath", "");
  in.kernel_path = host.value("kernelPath", "");
  in.initrd_path = host.value("initrdPath", "");
  in.nvram_path = host.value("nvramPath", "");
}

} // namespace

TEST_CASE("golden: every testdata VMI converts to its golden domain XML", "[virt][converter][golden]") {
  const bool update = std::getenv("PODVISOR_UPDATE_GOLDEN") != nullptr
                      && std::string_view(std::getenv("PODVISOR_UPDATE_GOLDEN")) == "1";
  std::size_t cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(golden_dir)) {
    const std::string file = entry.path().filename().string();
    if (!file.ends_with(".vmi.json"))
      continue;
    const std::string base = file.substr(0, file.size() - std::string_view(".vmi.json").size());
    INFO(base);
    auto decoded = kube::api::decode<kube::api::virtual_machine_instance>(json::parse(read_file(entry.path())));
    REQUIRE(decoded.ok());
    REQUIRE(decoded.unknown.empty());
    converter_input in;
    in.vmi = std::move(decoded.value);
    kube::api::set_defaults(in.vmi);
    apply_host_facts(json::parse(read_file(golden_dir / (base + ".host.json"))), in);
    auto d = convert(in);
    INFO(d.error_or_ok().to_string());
    REQUIRE(d.has_value());
    const std::string xml = to_xml(*d);
    const auto golden = golden_dir / (base + ".xml");
    if (update)
      std::ofstream(golden, std::ios::binary) << xml;
    CHECK(xml == read_file(golden));
    ++cases;
  }
  CHECK(cases >= 4);
}
