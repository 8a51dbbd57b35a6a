#!/usr/bin/env bash
# npm test: installs what it needs, checks types and lint, boots a 3-host lab (unless one runs),
# then runs every unit and end-to-end test in one node --test run. A lab that cannot start fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent typecheck
npm run --silent lint

bosun() { node bin/bosun.js "$@"; }
started_lab=0
if ! bosun lab status >/dev/null 2>&1; then
  echo "test: booting the lab (3 hosts)" >&2
  if ! BOSUN_LOG=info bosun lab up 3; then
    echo "test: FAILED: the lab did not start, so the end-to-end tests cannot run" >&2
    exit 1
  fi
  started_lab=1
fi
cleanup() { if [ "$started_lab" = 1 ]; then bosun lab down >/dev/null || true; fi; }
trap cleanup EXIT

shopt -s globstar nullglob
files=(test/unit/**/*.test.ts test/e2e/**/*.test.ts)
node --import tsx --test --test-reporter=spec --test-concurrency=1 "${files[@]}"
