#!/bin/sh
# GET / (and /cgi-bin/index.cgi, /cgi-bin/status): the guest's state as JSON.
read -r up _ < /proc/uptime
boot_id=$(cat /proc/sys/kernel/random/boot_id)
address=$(cat /run/lease 2>/dev/null)
dirtier=false
[ -f /run/dirtier.pid ] && kill -0 "$(cat /run/dirtier.pid)" 2>/dev/null && dirtier=true
printf 'Content-Type: application/json\r\nCache-Control: no-store\r\n\r\n'
printf '{"boot_id":"%s","uptime_s":%s,"address":"%s","hostname":"%s","dirtier":%s}\n' \
  "$boot_id" "$up" "$address" "$(hostname)" "$dirtier"
