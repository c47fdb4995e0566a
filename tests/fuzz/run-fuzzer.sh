#!/usr/bin/env bash
# Runs one libFuzzer harness for a bounded time; used by ctest (tests named fuzz.<name>).
#   run-fuzzer.sh build SOURCE_DIR FUZZ_BUILD_DIR            builds every harness with clang
#   run-fuzzer.sh run FUZZ_BUILD_DIR NAME SECONDS SEED_DIR... runs fuzz_<NAME>
# A crash, leak, timeout or sanitizer report makes libFuzzer exit non-zero, and so this.
set -euo pipefail

mode=$1
shift
case $mode in
  build)
    src=$1 bin=$2
    # The harnesses need clang's libFuzzer; the project's own code is compiled with
    # ASan+UBSan so that memory errors and undefined behaviour fail the run.
    cmake -S "$src" -B "$bin" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER=clang++-14 -DPODVISOR_FUZZ=ON -DPODVISOR_BUILD_TESTS=OFF >/dev/null
    cmake --build "$bin" --target podvisor_fuzzers -j "$(nproc)"
    ;;
  run)
    bin=$1 name=$2 seconds=${PODVISOR_FUZZ_SECONDS:-$3}
    shift 3
    exe=$bin/fuzz/fuzz_$name
    [[ -x $exe ]] || { echo "fuzzer $exe not built" >&2; exit 1; }
    work=$bin/fuzz/corpus-$name
    mkdir -p "$work"
    # A dictionary next to this script (NAME.dict) seeds mutations with the input's words.
    dict=()
    [[ -f $(dirname "$0")/$name.dict ]] && dict=(-dict="$(dirname "$0")/$name.dict")
    # Seed directories of hex text files (NAME.hex: bytes in hex, `#` comments), such as
    # tests/testdata/dhcp, are decoded into the working corpus: libFuzzer reads raw bytes.
    seeds=()
    for dir in "$@"; do
      if compgen -G "$dir/*.hex" >/dev/null; then
        for f in "$dir"/*.hex; do
          perl -ne 's/#.*//; s/\s+//g; print pack("H*", $_)' "$f" >"$work/seed-$(basename "$f" .hex)"
        done
      else
        seeds+=("$dir")
      fi
    done
    echo "fuzz_$name: ${seconds}s, seeds from $*"
    # -error_exitcode makes any finding fail the test; findings land in $bin/fuzz/.
    "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -error_exitcode=77 -artifact_prefix="$bin/fuzz/" \
      "${dict[@]}" "$work" "${seeds[@]}"
    ;;
  *)
    echo "usage: $0 build SRC BIN | run BIN NAME SECONDS SEEDS..." >&2
    exit 2
    ;;
esac
