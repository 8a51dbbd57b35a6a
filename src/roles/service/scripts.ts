/** The service role's host-side steps as sh text: switch `current`, restart with a health check and rollback, prune. */
import { quote } from "../../index.js";

export interface Layout {
  name: string;
  root: string;
  release: string;
}

/** Returns the guard "current already points at this release". */
export function isCurrent(l: Layout): string {
  return `[ "$(readlink ${quote(`${l.root}/current`)})" = ${quote(l.release)} ]`;
}

/** Returns sh that remembers the live release in .previous (the rollback target) and marks the new one newest. */
export function rememberPrevious(l: Layout): string {
  const cur = quote(`${l.root}/current`);
  return `if [ -L ${cur} ]; then readlink ${cur} > ${quote(`${l.root}/.previous`)}; fi\ntouch ${quote(l.release)}`;
}

/**
 * Returns sh that restarts the unit and waits for the health URL; when it never answers, points `current`
 * back at the previous release, restarts that, and fails naming both releases.
 */
export function restartWithHealth(l: Layout, url: string, timeoutSeconds: number): string {
  const cur = quote(`${l.root}/current`);
  const tmp = quote(`${l.root}/.current.tmp`);
  const unit = quote(`${l.name}.service`);
  const tries = Math.max(1, Math.round(timeoutSeconds * 5));
  const say = (msg: string) => `echo "${l.name}: ${msg}" >&2`;
  return [
    `__healthy() { __i=0; while [ $__i -lt ${tries} ]; do curl -fsS -o /dev/null --max-time 2 ${quote(url)} 2>/dev/null && return 0; sleep 0.2; __i=$((__i+1)); done; return 1; }`,
    `systemctl restart ${unit} || true; __changed`,
    "if ! __healthy; then",
    `  __bad=$(readlink ${cur}); __prev=$(cat ${quote(`${l.root}/.previous`)} 2>/dev/null || true)`,
    `  tail -n 20 ${quote(`/var/log/${l.name}/${l.name}.log`)} >&2 2>/dev/null || true`,
    `  if [ -n "$__prev" ] && [ "$__prev" != "$__bad" ] && [ -d "$__prev" ]; then`,
    `    ln -sfn "$__prev" ${tmp} && mv -Tf ${tmp} ${cur}`,
    `    systemctl restart ${unit} || true`,
    `    if __healthy; then ${say(`release $__bad failed its health check (${url}); rolled back to $__prev, which is healthy`)}`,
    `    else ${say(`release $__bad failed its health check (${url}); rolled back to $__prev, which is not healthy either`)}; fi`,
    `  else ${say(`release $__bad failed its health check (${url}) and there is no previous release to roll back to`)}; fi`,
    "  exit 1",
    "fi",
  ].join("\n");
}

/** Returns sh listing releases beyond the newest `keep` (by mtime), never the live one. */
export function surplusReleases(l: Layout, keep: number): string {
  return `cd ${quote(`${l.root}/releases`)} && ls -1t | grep -vx "$(basename "$(readlink ${quote(`${l.root}/current`)})")" | tail -n +${keep}`;
}
