#include "virt/libvirt/connection.hpp"

#include <set>
#include <string>

#include <catch2/catch_test_macros.hpp>

namespace podvisor::virt {

TEST_CASE("every domain_state has its own name", "[virt][libvirt]") {
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(domain_state::pm_suspended); ++i) {
    auto name = std::string{to_string(static_cast<domain_state>(i))};
    CHECK(name != "unknown");
    names.insert(name);
  }
  CHECK(names.size() == 8);
  CHECK(to_string(domain_state::shut_off) == "shut_off");
}

TEST_CASE("every domain_event kind has its own name", "[virt][libvirt]") {
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(domain_event::kind::job_completed); ++i) {
    auto name = std::string{to_string(static_cast<domain_event::kind>(i))};
    CHECK(name != "unknown");
    names.insert(name);
  }
  CHECK(names.size() == 10);
  CHECK(to_string(domain_event::kind::job_completed) == "job_completed");
}

} // namespace podvisor::virt
