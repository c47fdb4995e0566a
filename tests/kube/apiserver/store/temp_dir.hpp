#pragma once
// The tests' temporary directory: removed with everything in it when the test ends,
// whether it passed, failed or threw (common/temp_dir.hpp).

#include "common/temp_dir.hpp"

namespace podvisor::test {

using temp_dir = podvisor::scoped_temp_dir;

} // namespace podvisor::test
