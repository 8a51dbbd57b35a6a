#!/bin/sh
# fanout.sh SCRIPT KEY KNOWN_HOSTS USER ENVIRONMENT NAME:ADDRESS:GROUP...
# Runs SCRIPT on every host at once: one new ssh connection and ONE exec per host (`sh -s NAME GROUP ENV`,
# the script on stdin), with the floor's ssh options. Exits 1 naming the hosts where it failed.
set -u
script=$1 key=$2 kh=$3 user=$4 environment=$5
shift 5
codes=$(mktemp -d)
for h in "$@"; do
  name=${h%%:*} rest=${h#*:}
  addr=${rest%%:*} group=${rest#*:}
  {
    ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" -o ControlMaster=no \
      -o ControlPath=none -o ConnectTimeout=10 -i "$key" "$user@$addr" sh -s "$name" "$group" "$environment" <"$script"
    echo $? >"$codes/$name"
  } 2>&1 | sed "s/^/$name: /" &
done
wait
failed=
for h in "$@"; do
  name=${h%%:*}
  [ "$(cat "$codes/$name" 2>/dev/null)" = 0 ] || failed="$failed $name"
done
rm -rf "$codes"
[ -z "$failed" ] || { echo "one-exec: failed on$failed" >&2; exit 1; }
