/** Health probes the roles run after a restart (sh text, run on the host by a handler). */

/** Returns the sh that waits until a local HTTP endpoint answers 2xx, or fails naming the service. */
export function httpProbe(service: string, url: string, tries = 40): string {
  return `i=0; until curl -fsS -o /dev/null --max-time 2 ${url}; do i=$((i+1)); [ $i -lt ${tries} ] || { echo '${service} does not answer on ${url} after its restart' >&2; exit 1; }; sleep 0.5; done`;
}
