#!/usr/bin/env bash
# npm run demo: the main job on the built-in lab. Installs what it needs, boots 3 real Debian hosts,
# shows the inventory, gathers facts, runs an ad-hoc command, then plans and applies the example site
# (common base + nginx reverse proxy + a versioned app under systemd) twice: the second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bosun() { node bin/bosun.js "$@"; }
step() { printf '\n\033[1m$ bosun %s\033[0m\n' "$*"; bosun "$@"; }

BOSUN_LOG=${BOSUN_LOG:-info} bosun lab up 3
step inventory -i lab --graph
step facts all -i lab
step exec all -i lab -- 'uptime; systemctl is-system-running'
step plan examples/site.ts -i lab
step apply examples/site.ts -i lab --yes
step apply examples/site.ts -i lab --yes          # again: nothing changes
step exec web -i lab -- 'curl -fsS http://127.0.0.1/version'
step runs -n 5
printf '\nThe lab stays up: try `node bin/bosun.js lab ssh web1`, and `node bin/bosun.js lab down` when done.\n'
