#pragma once
// Shared helpers for the store tests: a store in a temporary directory and small objects.

#include <memory>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "kube/apiserver/store/store.hpp"
#include "tests/kube/apiserver/store/temp_dir.hpp"

namespace podvisor::test {

inline constexpr const char* pods = "v1/pods";
inline constexpr const char* vmis = "kubevirt.io/v1/virtualmachineinstances";

/// `{"metadata":{"name":..,"namespace":..,"uid":..},"spec":{"value":..}}`
inline std::string object_json(const std::string& ns, const std::string& name, const std::string& value,
                               const std::string& uid = "uid-1") {
  std::string out = R"({"metadata":{"name":")" + name + '"';
  if (!ns.empty())
    out += R"(,"namespace":")" + ns + '"';
  out += R"(,"uid":")" + uid + R"("},"spec":{"value":")" + value + R"("}})";
  return out;
}

/// Opens a store on `dir` or fails the test.
inline std::unique_ptr<kube::apiserver::store> open_store(const temp_dir& dir,
                                                          kube::apiserver::store_options options = {}) {
  options.data_dir = dir.path();
  auto opened = kube::apiserver::store::open(std::move(options));
  if (!opened)
    FAIL("open: " << opened.error().message);
  return std::move(opened).value();
}

} // namespace podvisor::test
