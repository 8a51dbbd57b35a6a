#!/usr/bin/env bash
# npm run demo: the main job on the built-in lab. Installs what it needs, boots 3 real Debian hosts,
# shows the inventory, gathers facts, runs an ad-hoc command, then plans and applies the example site
# (common base + nginx reverse proxy + a versioned app under systemd) twice: the second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bosun() { node bin/bosun.js "$@"; }
step() { printf '\n\033[1m$ bosun %s\033[0m\n' "$*"; bosun "$@"; }

# A running lab of 3 or more hosts is used as it is (a bigger one may be running the tests).
running=$(bash scripts/lab-running.sh)
if [ "$running" -lt 3 ]; then BOSUN_LOG=${BOSUN_LOG:-info} bosun lab up 3; fi
step inventory -i lab --graph
step facts all -i lab -l web1,web2,db1
step exec all -i lab -l web1,web2,db1 -- 'uptime; systemctl is-system-running'
step plan examples/site.ts -i lab -l web1,web2,db1
step apply examples/site.ts -i lab -l web1,web2,db1 --yes
step apply examples/site.ts -i lab -l web1,web2,db1 --yes   # again: nothing changes
step exec web -i lab -l web1,web2 -- 'curl -fsS http://127.0.0.1/version'
step runs -n 5
printf '\nThe lab stays up: try `node bin/bosun.js lab ssh web1`, and `node bin/bosun.js lab down` when done.\n'
