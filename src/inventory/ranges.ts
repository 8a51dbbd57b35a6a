/**
 * Returns the host names an Ansible range pattern stands for:
 * `web[01:03]` → web01, web02, web03; `db-[a:c]` → db-a, db-b, db-c; `x[0:10:5]` → x0, x5, x10.
 * A name without a range is returned as is. Throws on a malformed range.
 */
export function expandHostRange(name: string): string[] {
  const m = /^(.*?)\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::(\d+))?\](.*)$/.exec(name);
  if (!m) return [name];
  const [, head = "", start = "", end = "", stepText, tail = ""] = m;
  const step = stepText ? Number(stepText) : 1;
  if (step <= 0) throw new Error(`bad range step in "${name}"`);
  const items: string[] = [];
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const width = start.startsWith("0") && start.length > 1 ? start.length : 0;
    const a = Number(start);
    const b = Number(end);
    if (a > b) throw new Error(`range start is after its end in "${name}"`);
    for (let i = a; i <= b; i += step) items.push(String(i).padStart(width, "0"));
  } else if (/^[a-z]$/i.test(start) && /^[a-z]$/i.test(end)) {
    const a = start.charCodeAt(0);
    const b = end.charCodeAt(0);
    if (a > b) throw new Error(`range start is after its end in "${name}"`);
    for (let i = a; i <= b; i += step) items.push(String.fromCharCode(i));
  } else {
    throw new Error(`bad range "[${start}:${end}]" in "${name}" (expected numbers or single letters)`);
  }
  return items.flatMap((x) => expandHostRange(`${head}${x}${tail}`));
}
