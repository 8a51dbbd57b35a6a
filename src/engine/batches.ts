/** Returns hosts split into rolling batches: `serial` is a host count or a percentage ("30%"); none = one batch. */
export function batches<T>(hosts: T[], serial: number | string | undefined): T[][] {
  if (hosts.length === 0) return [];
  let size = hosts.length;
  // A fractional count is rounded down: it would otherwise make batches larger than serial.
  if (typeof serial === "number") size = Math.floor(serial);
  else if (typeof serial === "string") {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(serial.trim());
    if (m) size = Math.ceil((hosts.length * Number(m[1])) / 100);
    else if (/^\d+$/.test(serial.trim())) size = Number(serial);
    else throw new Error(`serial must be a number or a percentage like "30%", got "${serial}"`);
  }
  if (!Number.isFinite(size) || size < 1) size = 1;
  const out: T[][] = [];
  for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}

/** Returns true when the failures in a batch cross maxFailPercentage (strictly more than it, as Ansible). */
export function failLimitCrossed(failed: number, batchSize: number, maxFailPercentage: number | undefined): boolean {
  if (maxFailPercentage === undefined || batchSize === 0) return false;
  return (failed / batchSize) * 100 > maxFailPercentage;
}
