# Warning flags shared by every Podvisor target (not by third-party headers, which are
# included as system headers by their imported targets).
add_library(podvisor_warnings INTERFACE)
target_compile_options(podvisor_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough)
if(PODVISOR_WERROR)
  target_compile_options(podvisor_warnings INTERFACE -Werror)
endif()

# podvisor_library(NAME SOURCES... DEPS...) would hide too much; each folder calls
# add_library itself and links podvisor_warnings, so its CMakeLists.txt reads as the
# statement of its dependencies.
