#!/usr/bin/env bash
# npm run demo: the main job on the built-in lab. Installs what it needs, boots 3 real Debian hosts,
# shows the inventory, gathers facts and runs an ad-hoc command on them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bosun() { node bin/bosun.js "$@"; }
step() { printf '\n\033[1m$ bosun %s\033[0m\n' "$*"; bosun "$@"; }

BOSUN_LOG=${BOSUN_LOG:-info} bosun lab up 3
step inventory -i lab --graph
step facts all -i lab
step exec all -i lab -- 'uptime; systemctl is-system-running'
printf '\nThe lab stays up: try `node bin/bosun.js lab ssh web1`, and `node bin/bosun.js lab down` when done.\n'
