#!/bin/sh
# The launcher stand-in of the cluster benchmark: a process that runs until SIGTERM, as
# light as a pod's process can be, so the benchmark measures cluster control (controller,
# scheduler, podlet), not guests.
trap 'exit 0' TERM INT
while :; do
  sleep 3600 &
  wait $!
done
