#!/bin/bash
# Builds the Podvisor test guest: OUTDIR/vmlinuz, OUTDIR/initrd.img, OUTDIR/manifest.txt.
#
#   tools/guest/build.sh OUTDIR
#
# From Debian packages only: the kernel package that linux-image-cloud-amd64 depends on and
# busybox-static are fetched with `apt-get download` into OUTDIR/debs and unpacked with
# `dpkg-deb -x` (nothing is installed on the host); tools/guest/dirtier.c is compiled with
# the host's gcc -static. Cached: when the outputs exist and the inputs (these files, the
# package versions, gcc and libc versions) hash the same as last time, nothing is done.
# The initrd is reproducible: sorted cpio input, fixed mtimes, owner 0:0, renumbered
# inodes, gzip -n. See tools/guest/README.md.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
export LC_ALL=C
# Fixed timestamp for everything inside the initrd (SOURCE_DATE_EPOCH if set).
EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

step() { echo "[guest] $*"; }
die() { echo "[guest] ERROR: $*" >&2; exit 1; }

for tool in apt-cache apt-get dpkg-deb gcc gzip sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian host tools are required)"
done

# 1. Resolve package names and versions (no network: the local apt lists).
KPKG=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '$1 == "Depends:" { print $2; exit }')
[ -n "$KPKG" ] || die "cannot resolve the package linux-image-cloud-amd64 depends on (run apt-get update?)"
candidate() { apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }'; }
KVER=$(candidate "$KPKG")
BVER=$(candidate busybox-static)
[ -n "$KVER" ] && [ "$KVER" != "(none)" ] || die "no installable version of $KPKG (run apt-get update?)"
[ -n "$BVER" ] && [ "$BVER" != "(none)" ] || die "no installable version of busybox-static (run apt-get update?)"
GCCVER=$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)
LIBCVER=$(dpkg-query -W -f='${Version}' libc6-dev 2>/dev/null || echo unknown)
step "kernel $KPKG $KVER, busybox-static $BVER, gcc $GCCVER, libc6-dev $LIBCVER"

# 2. Cache check: hash of every input.
INPUT_HASH=$(
  {
    cd "$HERE"
    find . -path ./README.md -prune -o \( -type f -o -type l \) -print | sort | while read -r f; do
      if [ -L "$f" ]; then echo "link $f -> $(readlink "$f")"; else echo "file $f $(stat -c %a "$f") $(sha256sum < "$f")"; fi
    done
    echo "kernel $KPKG $KVER"
    echo "busybox-static $BVER"
    echo "gcc $GCCVER libc6-dev $LIBCVER epoch $EPOCH"
  } | sha256sum | cut -d' ' -f1
)
if [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ] && [ -f "$OUT/manifest.txt" ] &&
   [ "$(cat "$OUT/.inputs.sha256" 2>/dev/null)" = "$INPUT_HASH" ]; then
  step "up to date in $OUT (inputs $INPUT_HASH); nothing to do"
  exit 0
fi

# 3. Download (kept in OUTDIR/debs; an existing .deb of the same version is reused).
mkdir -p "$OUT/debs"
chmod 755 "$OUT/debs"  # apt's _apt user must be able to write here, else apt warns
fetch() {  # fetch PKG VERSION -> path of the .deb
  local pkg=$1 ver=$2 f
  f=$(find "$OUT/debs" -maxdepth 1 -name "${pkg}_*.deb" | while read -r d; do
        [ "$(dpkg-deb -f "$d" Version)" = "$ver" ] && echo "$d"; done | head -n1)
  if [ -z "$f" ]; then
    step "downloading $pkg=$ver" >&2
    local log
    if ! log=$(cd "$OUT/debs" && apt-get download "$pkg=$ver" 2>&1); then
      echo "$log" >&2
      die "apt-get download $pkg=$ver failed (no network or stale lists? try: apt-get update)"
    fi
    f=$(find "$OUT/debs" -maxdepth 1 -name "${pkg}_*.deb" | while read -r d; do
          [ "$(dpkg-deb -f "$d" Version)" = "$ver" ] && echo "$d"; done | head -n1)
    [ -n "$f" ] || die "apt-get download $pkg=$ver left no .deb in $OUT/debs"
  else
    step "using cached $(basename "$f")" >&2
  fi
  echo "$f"
}
KDEB=$(fetch "$KPKG" "$KVER")
BDEB=$(fetch busybox-static "$BVER")

# 4. Unpack into a scratch directory.
WORK="$OUT/.work"
rm -rf "$WORK"
mkdir -p "$WORK/kernel" "$WORK/busybox" "$WORK/root"
trap 'rm -rf "$WORK"' EXIT
step "unpacking $(basename "$KDEB")"
dpkg-deb -x "$KDEB" "$WORK/kernel"
step "unpacking $(basename "$BDEB")"
dpkg-deb -x "$BDEB" "$WORK/busybox"
KREL=$(cd "$WORK/kernel/lib/modules" && ls | head -n1)
[ -n "$KREL" ] && [ -f "$WORK/kernel/boot/vmlinuz-$KREL" ] || die "unexpected layout in $KDEB"
BUSYBOX="$WORK/busybox/bin/busybox"
[ -x "$BUSYBOX" ] || die "no bin/busybox in $BDEB"

# 5. The dirtier.
step "compiling dirtier.c (gcc -static -O2)"
gcc -static -O2 -Wall -Wextra -ffile-prefix-map="$HERE"=. -Wl,--build-id=none \
  -o "$WORK/dirtier" "$HERE/dirtier.c" || die "compiling dirtier.c failed (is libc6-dev installed?)"
strip "$WORK/dirtier"

# 6. The root file system.
step "assembling the initramfs tree"
R="$WORK/root"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,var,etc,lib/modules}
cp -a "$HERE/rootfs/." "$R/"
cp "$BUSYBOX" "$R/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$R/bin/$applet"
done
install -m 755 "$WORK/dirtier" "$R/usr/bin/dirtier"
MODS="$WORK/kernel/lib/modules/$KREL/kernel"
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
         drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci net/core/failover \
         drivers/net/net_failover drivers/net/virtio_net drivers/block/virtio_blk \
         drivers/char/hw_random/virtio-rng drivers/char/virtio_console \
         drivers/virtio/virtio_balloon drivers/acpi/button drivers/input/evdev; do
  [ -f "$MODS/$m.ko" ] || die "module $m.ko not in $KDEB (built in or renamed? update init)"
  install -m 644 "$MODS/$m.ko" "$R/lib/modules/"
done
echo "$KREL" > "$R/etc/kernel-release"
: > "$R/etc/resolv.conf"
printf 'root:x:0:0:root:/:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\n' > "$R/etc/group"
if [ "$(id -u)" = 0 ]; then
  mknod -m 600 "$R/dev/console" c 5 1
  mknod -m 666 "$R/dev/null" c 1 3
else
  step "not root: no /dev/console node in the initrd (/init re-opens it from devtmpfs)"
fi
find "$R" -exec touch -h -d "@$EPOCH" {} +

# 7. cpio (newc, sorted, renumbered inodes, owner 0:0) + gzip -n.
step "writing initrd.img"
(cd "$R" && find . -mindepth 1 | sort | "$BUSYBOX" cpio -o -H newc -R 0:0 --renumber-inodes --ignore-devno) \
  | gzip -9 -n > "$OUT/initrd.img.tmp"
mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
cp "$WORK/kernel/boot/vmlinuz-$KREL" "$OUT/vmlinuz.tmp"
mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"

# 8. Manifest and cache stamp.
{
  echo "# Podvisor test guest (tools/guest/build.sh)"
  echo "kernel-package $KPKG $KVER"
  echo "kernel-release $KREL"
  echo "busybox-static $BVER"
  echo "gcc $GCCVER"
  echo "libc6-dev $LIBCVER"
  echo "source-date-epoch $EPOCH"
  echo "inputs-sha256 $INPUT_HASH"
  echo "vmlinuz-sha256 $(sha256sum < "$OUT/vmlinuz" | cut -d' ' -f1) $(stat -c %s "$OUT/vmlinuz")"
  echo "initrd.img-sha256 $(sha256sum < "$OUT/initrd.img" | cut -d' ' -f1) $(stat -c %s "$OUT/initrd.img")"
} > "$OUT/manifest.txt"
echo "$INPUT_HASH" > "$OUT/.inputs.sha256"
step "done: $OUT/vmlinuz ($(stat -c %s "$OUT/vmlinuz") bytes), $OUT/initrd.img ($(stat -c %s "$OUT/initrd.img") bytes)"
