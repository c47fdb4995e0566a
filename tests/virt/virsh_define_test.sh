#!/bin/sh
# Defines every golden domain XML in $1 with libvirt's test driver (no daemon needed),
# validating it against libvirt's schema first. virsh comes with the project's
# dependencies (scripts/install-deps.sh), so its absence is a failure, not a skip.
set -eu
dir=$1
if ! command -v virsh >/dev/null 2>&1; then
  echo "virsh not installed (run scripts/install-deps.sh)" >&2
  exit 1
fi
count=0
for xml in "$dir"/*.xml; do
  echo "== $xml"
  virsh -q -c test:///default define --validate "$xml"
  count=$((count + 1))
done
if [ "$count" -eq 0 ]; then
  echo "no golden XML in $dir" >&2
  exit 1
fi
echo "$count domains accepted"
