#!/usr/bin/env bash
# Installs what Podvisor needs to build, test and run, from Debian 12's own archive only.
#
# - Idempotent and fast when everything is present: it asks dpkg what is missing and only
#   calls apt-get for that.
# - bookworm-backports (libvirt 11.3, QEMU 10, Catch2 3) is enabled by deriving a sources
#   entry from the machine's existing Debian entry (same URIs, components and keyring),
#   so no mirror host is written anywhere in this repository.
# - Backports packages are always installed with `-t bookworm-backports`: their apt
#   priority is 100, so a plain install would silently pick bookworm's older versions.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: must run as root (it installs Debian packages)" >&2
  exit 1
fi

# Packages from bookworm. Grouped by who needs them.
BOOKWORM_PKGS=(
  # build
  build-essential cmake pkgconf make git
  # libraries
  libcaf-dev libnl-3-dev libnl-route-3-dev libcpp-httplib-dev nlohmann-json3-dev
  libsqlite3-dev libssl-dev libyaml-cpp-dev libnftables-dev
  # fuzzing (libFuzzer and sanitizers come with clang's runtime)
  clang-14 libclang-rt-14-dev
  # tests
  python3 python3-kubernetes python3-yaml openssl iproute2 procps nftables
  # DHCP integration tests: the real clients a guest runs (busybox udhcpc, ISC dhclient)
  udhcpc isc-dhcp-client
  # UEFI firmware for VMIs that ask for EFI (the launcher uses Debian's OVMF images)
  ovmf
)
# Packages that must come from bookworm-backports.
BACKPORTS_PKGS=(
  catch2
  libvirt-dev libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
  qemu-system-x86 qemu-utils
)
# Minimum versions we rely on from backports (package=minimum upstream version).
declare -A BACKPORTS_MIN=( [catch2]=3 [libvirt-dev]=11 [qemu-system-x86]=1:10 )

DEBIAN_SOURCES=/etc/apt/sources.list.d/debian.sources
BACKPORTS_SOURCES=/etc/apt/sources.list.d/podvisor-backports.sources

log() { echo "install-deps: $*"; }

# Prints the installed version of a package, or nothing.
installed_version() {
  dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null |
    awk '$1 == "installed" { print $2 }'
}

missing_from() {
  local pkg
  for pkg in "$@"; do
    [[ -n $(installed_version "$pkg") ]] || echo "$pkg"
  done
}

# A backports package that is installed but older than we need counts as missing.
outdated_backports() {
  local pkg min have
  for pkg in "${!BACKPORTS_MIN[@]}"; do
    min=${BACKPORTS_MIN[$pkg]}
    have=$(installed_version "$pkg")
    if [[ -n $have ]] && ! dpkg --compare-versions "$have" ge "$min"; then
      echo "$pkg"
    fi
  done
}

# Writes a deb822 stanza for bookworm-backports built from the machine's Debian entry.
enable_backports() {
  if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  if [[ ! -r $DEBIAN_SOURCES ]]; then
    echo "install-deps: no $DEBIAN_SOURCES to derive bookworm-backports from;" \
         "add a bookworm-backports entry for your mirror and re-run" >&2
    exit 1
  fi
  log "enabling bookworm-backports (derived from $DEBIAN_SOURCES)"
  # The first stanza whose Suites name plain bookworm is the main archive.
  awk -v RS= -v ORS='\n\n' '/Suites:[^\n]*bookworm([ \n]|$)/ && !/security/ { print; exit }' \
      "$DEBIAN_SOURCES" |
    sed -E 's/^Suites:.*/Suites: bookworm-backports/' | grep -v '^#' >"$BACKPORTS_SOURCES"
  if ! grep -q '^URIs:' "$BACKPORTS_SOURCES"; then
    rm -f "$BACKPORTS_SOURCES"
    echo "install-deps: could not find the main Debian entry in $DEBIAN_SOURCES" >&2
    exit 1
  fi
  APT_UPDATED=0
}

APT_UPDATED=0
apt_update_once() {
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    apt-get update -qq
    APT_UPDATED=1
  fi
}

export DEBIAN_FRONTEND=noninteractive
APT_INSTALL=(apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0)

enable_backports

mapfile -t missing_main < <(missing_from "${BOOKWORM_PKGS[@]}")
mapfile -t missing_bp < <({ missing_from "${BACKPORTS_PKGS[@]}"; outdated_backports; } | sort -u)

if [[ ${#missing_main[@]} -eq 0 && ${#missing_bp[@]} -eq 0 ]]; then
  log "all dependencies present"
  exit 0
fi

apt_update_once
if [[ ${#missing_main[@]} -gt 0 ]]; then
  log "installing from bookworm: ${missing_main[*]}"
  "${APT_INSTALL[@]}" "${missing_main[@]}"
fi
if [[ ${#missing_bp[@]} -gt 0 ]]; then
  log "installing from bookworm-backports: ${missing_bp[*]}"
  "${APT_INSTALL[@]}" -t bookworm-backports "${missing_bp[@]}"
fi

# Debian's libvirt packages start no daemon here (no systemd); Podvisor's launcher runs
# its own private daemons, so nothing to enable.
log "done"
