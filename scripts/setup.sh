#!/usr/bin/env bash
# Installs what Bosun and its lab need on a fresh Debian machine (root), then builds.
# Sourced by demo.sh and test.sh; safe to re-run (does nothing that is already done).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in debootstrap:debootstrap systemd-nspawn:systemd-container dpkg-scanpackages:dpkg-dev \
  ssh:openssh-client ssh-keyscan:openssh-client ip:iproute2 gzip:gzip; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "setup: missing ${need[*]}; run as root or apt-get install them" >&2; exit 1; fi
  echo "setup: apt-get install ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-fund --no-audit --loglevel=error
fi
npm run --silent build
