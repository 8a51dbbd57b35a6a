#!/usr/bin/env bash
# npm run bench [-- options]: Bosun vs tuned Ansible on the same workload, on lab hosts.
# Installs what it needs (lab prerequisites, node modules, a build; ansible-core and ansible-mitogen
# from Debian unless --skip-ansible), then runs bench/run.ts with the options given.
# Options and what it measures: docs/bench.md (or: npm run bench -- --help).
set -euo pipefail
cd "$(dirname "$0")/.."

want_ansible=1
want_mitogen=1
for a in "$@"; do
  case "$a" in
    -h|--help) exec node --import tsx bench/run.ts --help ;;
    --skip-ansible|--scaling) want_ansible=0 ;;
    --no-mitogen) want_mitogen=0 ;;
  esac
done

bash scripts/setup.sh   # debootstrap, systemd-container, …; npm ci when needed; npm run build

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then echo "bench: missing $*; run as root or apt-get install them" >&2; return 1; fi
  echo "bench: apt-get install $*" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

# python3 runs bench/reaper.py (the subreaper that times each run); Ansible brings it too.
[ -x /usr/bin/python3 ] || apt_install python3
if [ "$want_ansible" = 1 ]; then
  command -v ansible-playbook >/dev/null 2>&1 || apt_install ansible-core
  if [ "$want_mitogen" = 1 ] && ! dpkg-query -W -f '${Status}' ansible-mitogen 2>/dev/null | grep -q 'ok installed'; then
    # Tried, not required: the report says when it is missing or does not work.
    apt_install ansible-mitogen || echo "bench: ansible-mitogen could not be installed; the report will say so" >&2
  fi
fi

exec node --import tsx bench/run.ts "$@"
