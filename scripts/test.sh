#!/usr/bin/env bash
# npm test: installs what it needs, checks types and lint, boots the lab (unless a big enough one runs),
# then runs every unit and end-to-end test. End-to-end files run in groups, in parallel: each group
# works on its own lab hosts (passed in its environment), so groups never touch each other's hosts,
# and the files of one group run one after another. A lab that cannot start fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# What only the tests need: Ansible as the oracle of the migration tests, Chromium for the dashboard's.
need=()
for pair in ansible-playbook:ansible-core chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "test: apt-get install ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
npm run --silent typecheck
npm run --silent lint

# The load watchdog stops a site stuck at import time; on a 2-core machine running five groups at
# once, type-checking a site alone can take a minute, so the tests give it more room.
export BOSUN_LOAD_TIMEOUT=${BOSUN_LOAD_TIMEOUT:-300}
bosun() { node bin/bosun.js "$@"; }
LAB_SIZE=${BOSUN_TEST_LAB_SIZE:-36}
PARALLEL=${BOSUN_TEST_PARALLEL:-5}
started_lab=0
running=$(bash scripts/lab-running.sh)
if [ "$running" -lt "$LAB_SIZE" ]; then
  echo "test: booting the lab ($LAB_SIZE hosts, containers enabled)" >&2
  [ "$running" -eq 0 ] && started_lab=1
  if ! BOSUN_LOG=info bosun lab up "$LAB_SIZE" --containers; then
    echo "test: FAILED: the lab did not start, so the end-to-end tests cannot run" >&2
    exit 1
  fi
fi
cleanup() { if [ "$started_lab" = 1 ]; then bosun lab down >/dev/null || true; fi; }
trap cleanup EXIT

shopt -s globstar nullglob
# name | environment (the group's lab hosts) | test files. Every e2e file is in exactly one group.
GROUPS_TABLE=(
  "pipeline|BOSUN_E2E_PIPELINE_HOSTS=web14,web15,db7|test/e2e/pipeline.test.ts"
  "pipeline-github|BOSUN_E2E_PIPELINE_GITHUB_HOSTS=web21,web22|test/e2e/pipeline-github.test.ts"
  "transport|BOSUN_E2E_SSH2_HOSTS=web23,db11,web24|test/e2e/transport-ssh2.test.ts"
  "roles-a|BOSUN_E2E_ROLES_HOSTS=web9,web10,db5,web11|test/e2e/roles-common.test.ts test/e2e/roles-nginx.test.ts test/e2e/roles-monitoring.test.ts test/e2e/roles-rsyslog.test.ts test/e2e/roles-ufw.test.ts"
  "roles-b|BOSUN_E2E_ROLES_SERVICE_HOSTS=web12 BOSUN_E2E_ROLES_DOCKER_HOSTS=web12,web13 BOSUN_E2E_ROLES_POSTGRES_HOSTS=db6,web13|test/e2e/roles-service.test.ts test/e2e/roles-docker.test.ts test/e2e/roles-postgres.test.ts"
  "bad-input|BOSUN_E2E_BADINPUT_HOSTS=db2,web5,web6 BOSUN_E2E_INIT_HOSTS=db2,web5,web6 BOSUN_E2E_SECRET_ROTATION_HOSTS=web6|test/e2e/bad-input.test.ts test/e2e/bad-input-inventory.test.ts test/e2e/init.test.ts test/e2e/secret-rotation.test.ts"
  "fleet|BOSUN_E2E_ROLES_FLEET_HOSTS=web18,db9,web16,web17,db8|test/e2e/roles-fleet.test.ts"
  "core|BOSUN_E2E_HOSTS=web1,web2,db1 BOSUN_E2E_FACTBATCH_HOSTS=web1,web2,db1|test/e2e/engine.test.ts test/e2e/fact-batch.test.ts test/e2e/foundation.test.ts test/e2e/secrets.test.ts test/e2e/accounts.test.ts test/e2e/apt-sources.test.ts test/e2e/fetch.test.ts test/e2e/text-system-ops.test.ts"
  "import|BOSUN_E2E_IMPORT_ANSIBLE_HOSTS=db3,web7 BOSUN_E2E_IMPORT_BOSUN_HOSTS=web8,db4|test/e2e/import-ansible.test.ts"
  "unit||test/unit/**/*.test.ts"
  "runs|BOSUN_E2E_RUNAPI_HOSTS=web3,web4|test/e2e/runs.test.ts"
  "server|BOSUN_E2E_SERVER_HOSTS=web19,web20,db10|test/e2e/server.test.ts"
  "server-role|BOSUN_E2E_SERVER_ROLE_HOSTS=db12|test/e2e/server-role.test.ts"
)

logs=$(mktemp -d)
declare -A pids=()
declare -A started=()
all_listed=()
for row in "${GROUPS_TABLE[@]}"; do
  IFS='|' read -r _ _ pattern <<<"$row"
  # shellcheck disable=SC2206 # the pattern is a glob on purpose
  all_listed+=($pattern)
done
for f in test/e2e/**/*.test.ts; do
  if [[ " ${all_listed[*]} " != *" $f "* ]]; then echo "test: FAILED: $f is in no group of scripts/test.sh" >&2; exit 1; fi
done

run_group() {
  local name=$1 envs=$2 pattern=$3
  # shellcheck disable=SC2206
  local files=($pattern)
  # shellcheck disable=SC2086
  env $envs node --import tsx --test --test-reporter=spec --test-concurrency=1 "${files[@]}" >"$logs/$name.log" 2>&1
}

failed=()
wait_one() {
  local name
  wait -n -p done_pid || true
  for name in "${!pids[@]}"; do
    if [ "${pids[$name]}" = "$done_pid" ]; then
      local rc=0
      wait "$done_pid" 2>/dev/null || rc=$?
      [ -f "$logs/$name.rc" ] && rc=$(cat "$logs/$name.rc")
      echo "=============== group $name: exit $rc in $(($(date +%s) - ${started[$name]})) s ==============="
      cat "$logs/$name.log"
      [ "$rc" = 0 ] || failed+=("$name")
      unset "pids[$name]"
    fi
  done
}

# Every e2e group runs once per SSH transport (BOSUN_TRANSPORT; docs/transport.md); "unit" runs once.
# A job is "group@transport"; two jobs of one group share its hosts, so they never run at once.
read -r -a TRANSPORTS <<<"${BOSUN_TEST_TRANSPORTS:-ssh2 openssh}"
queue=()
for t in "${TRANSPORTS[@]}"; do
  for row in "${GROUPS_TABLE[@]}"; do
    IFS='|' read -r name _ _ <<<"$row"
    # BOSUN_TEST_GROUPS="unit core" runs only those groups (development; CI runs them all).
    if [ -n "${BOSUN_TEST_GROUPS:-}" ] && [[ " $BOSUN_TEST_GROUPS " != *" $name "* ]]; then continue; fi
    # unit tests and the ssh2 transport's own e2e choose their transports themselves: they run once.
    if [[ " unit transport " == *" $name "* ]] && [ "$t" != "${TRANSPORTS[0]}" ]; then continue; fi
    if [ "$name" = unit ]; then queue+=(unit); else queue+=("$name@$t"); fi
  done
done
declare -A envs_of=() pattern_of=()
for row in "${GROUPS_TABLE[@]}"; do
  IFS='|' read -r name envs pattern <<<"$row"
  envs_of[$name]=$envs
  pattern_of[$name]=$pattern
done

group_busy() {
  local j
  for j in "${!pids[@]}"; do [ "${j%@*}" = "$1" ] && return 0; done
  return 1
}

while [ "${#queue[@]}" -gt 0 ]; do
  while [ "${#pids[@]}" -ge "$PARALLEL" ]; do wait_one; done
  pick=-1
  for i in "${!queue[@]}"; do
    if ! group_busy "${queue[$i]%@*}"; then pick=$i; break; fi
  done
  if [ "$pick" -lt 0 ]; then wait_one; continue; fi
  job=${queue[$pick]}
  queue=("${queue[@]:0:$pick}" "${queue[@]:$((pick + 1))}")
  name=${job%@*}
  envs=${envs_of[$name]}
  # Unit tests choose their transports themselves; the e2e groups run on the job's.
  [ "$name" = unit ] || envs="$envs BOSUN_TRANSPORT=${job#*@}"
  echo "test: group $job started ($envs)" >&2
  started[$job]=$(date +%s)
  (
    rc=0
    run_group "$job" "$envs" "${pattern_of[$name]}" || rc=$?
    echo "$rc" >"$logs/$job.rc"
    exit "$rc"
  ) &
  pids[$job]=$!
done
while [ "${#pids[@]}" -gt 0 ]; do wait_one; done

if [ "${#failed[@]}" -gt 0 ]; then
  # The end of the output is what a CI log shows: name every failing test there, with its error.
  for name in "${failed[@]}"; do
    echo "=============== failures in group $name ==============="
    if grep -q '^✖ failing tests:' "$logs/$name.log"; then
      awk '/^✖ failing tests:/{on=1} on' "$logs/$name.log" | head -c 20000
    else
      tail -n 60 "$logs/$name.log"
    fi
  done
  echo "test: FAILED groups: ${failed[*]}" >&2
  exit 1
fi
echo "test: all groups passed" >&2
