import { declareOp } from "../core/collector.js";
import type { CommonOptions, Operation } from "../core/operation.js";
import { removedDropInOp, requireDropInName } from "./drop-in.js";
import { fileOp } from "./file.js";

export interface CronOptions extends CommonOptions {
  /** Five fields ("*\/5 * * * *") or a keyword (@reboot, @hourly, @daily, @weekly, @monthly, @yearly, @annually, @midnight). */
  schedule: string;
  /** One line of sh. Cron reads an unescaped % as a newline (what follows goes to stdin): write \% for a literal one. */
  command: string;
  /** The user the job runs as. Default root. */
  user?: string;
  state?: "present" | "absent";
}

const KEYWORDS = new Set(["@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
/** One field: numbers, *, ranges, steps, lists, or month/day names. */
const FIELD = /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;

/** Returns the schedule with its fields separated by one space; throws unless it is 5 fields or an @keyword. */
export function cronSchedule(schedule: string): string {
  const s = schedule.trim();
  if (s.startsWith("@")) {
    if (!KEYWORDS.has(s)) throw new Error(`cron: unknown schedule keyword "${s}" (expected one of ${[...KEYWORDS].join(", ")})`);
    return s;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5)
    throw new Error(`cron: schedule "${schedule}" has ${fields.length} fields, expected 5 (min hour day month weekday) or an @keyword`);
  for (const f of fields) if (!FIELD.test(f)) throw new Error(`cron: bad schedule field "${f}" in "${schedule}"`);
  return fields.join(" ");
}

/** Returns the content of the cron.d file of a job. */
export function cronFile(name: string, schedule: string, user: string, command: string): string {
  return `# Managed by Bosun: cron job ${name}\n${schedule} ${user} ${command}\n`;
}

/**
 * Ensures a cron job as the file /etc/cron.d/NAME (mode 0644, root-owned, as cron requires).
 * `cron("backup", { schedule: "15 3 * * *", command: "/usr/local/bin/backup", user: "backup" })`
 */
export function cron(name: string, o: CronOptions): Operation {
  requireDropInName("cron", name, "/etc/cron.d");
  const path = `/etc/cron.d/${name}`;
  const state = o.state ?? "present";
  if (state !== "present" && state !== "absent") throw new Error(`cron ${name}: state must be "present" or "absent"`);
  if (state === "absent") return declareOp(removedDropInOp("cron", name, path, o));
  const schedule = cronSchedule(o.schedule);
  const user = o.user ?? "root";
  if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(user)) throw new Error(`cron ${name}: bad user "${user}"`);
  const command = o.command.trim();
  if (command === "" || /[\n\r\0]/.test(command)) throw new Error(`cron ${name}: command must be one non-empty line`);
  const f = fileOp(
    path,
    { tags: o.tags, notify: o.notify, content: cronFile(name, schedule, user, command), mode: "0644", owner: "root", group: "root" },
    "cron",
  );
  return declareOp({ ...f, name });
}
