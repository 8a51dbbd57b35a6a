/**
 * Returns the batch size `serial` asks for: a host count or a percentage ("30%", of hostCount),
 * at least 1. Throws a message quoting what was found when it is neither.
 */
export function parseSerial(serial: number | string, hostCount = 1): number {
  let size: number;
  if (typeof serial === "number") size = serial;
  else {
    const s = serial.trim();
    const m = /^(\d+(?:\.\d+)?)%$/.exec(s);
    if (m) return Math.max(1, Math.ceil((hostCount * Number(m[1])) / 100));
    if (!/^\d+$/.test(s)) throw new Error(`serial must be a number or a percentage like "30%", got "${serial}"`);
    size = Number(s);
  }
  // A fractional count is rounded down: it would otherwise make batches larger than serial. Below 1 means one host at a time.
  return Number.isFinite(size) && size >= 1 ? Math.floor(size) : 1;
}

/** Returns hosts split into rolling batches: `serial` is a host count or a percentage ("30%"); none = one batch. */
export function batches<T>(hosts: T[], serial: number | string | undefined): T[][] {
  if (hosts.length === 0) return [];
  const size = serial === undefined ? hosts.length : parseSerial(serial, hosts.length);
  const out: T[][] = [];
  for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}

/** Returns true when the failures in a batch cross maxFailPercentage (strictly more than it, as Ansible). */
export function failLimitCrossed(failed: number, batchSize: number, maxFailPercentage: number | undefined): boolean {
  if (maxFailPercentage === undefined || batchSize === 0) return false;
  return (failed / batchSize) * 100 > maxFailPercentage;
}
