# How much debug information our own targets carry in the default RelWithDebInfo build.
#
# RelWithDebInfo means -O2 -g. Full DWARF for every template instantiation (Catch2
# assertions, nlohmann::json, CAF) is what makes our translation units slow: measured with
# g++ 12 on this tree, -g1 instead of -g cuts the CPU time of a test TU by 35-50%
# (tests/kube/api/codec_test.cpp 18.0 s -> 11.8 s, tests/virt/converter/converter_test.cpp
# 25.4 s -> 12.0 s) and of a library TU by ~20% (kube/api/codec.cpp 6.6 s -> 5.3 s), and
# objects shrink 3-4x, so links get faster too.
#
# -g1 keeps function names and line tables: backtraces, sanitizer reports and perf still
# resolve to file:line. What it drops is local variables and types for a debugger; build
# with -DPODVISOR_DEBUG_INFO=-g (or CMAKE_BUILD_TYPE=Debug) when you need gdb's full view.
#
# Only the untouched default applies: whoever sets CMAKE_CXX_FLAGS_RELWITHDEBINFO or puts a
# -g into CMAKE_CXX_FLAGS keeps exactly what they asked for.
set(PODVISOR_DEBUG_INFO "-g1" CACHE STRING
  "Debug-info flag for RelWithDebInfo builds (-g1: line tables only; -g: full; empty: compiler default)")

string(STRIP "${CMAKE_CXX_FLAGS_RELWITHDEBINFO_INIT}" _podvisor_default_flags)
if(PODVISOR_DEBUG_INFO
   AND CMAKE_CXX_FLAGS_RELWITHDEBINFO STREQUAL _podvisor_default_flags
   AND NOT CMAKE_CXX_FLAGS MATCHES "(^| )-g")
  # Directory-wide, so it comes after CMAKE_CXX_FLAGS_RELWITHDEBINFO's -g and wins.
  add_compile_options("$<$<CONFIG:RelWithDebInfo>:${PODVISOR_DEBUG_INFO}>")
endif()
