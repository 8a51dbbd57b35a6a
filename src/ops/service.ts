import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { unitFact, unitName } from "../facts/systemd.js";
import { quote } from "../util/shell.js";

export interface ServiceOptions extends CommonOptions {
  /** started/stopped are states; restarted/reloaded are actions that always run (typically in handlers). */
  state?: "started" | "stopped" | "restarted" | "reloaded";
  enabled?: boolean;
}

/** Ensures a systemd service's state and whether it starts at boot; reloads systemd first when unit files changed. */
/** The ActiveState values of a unit that is not running and not on its way up. */
const STOPPED = ["inactive", "failed", "unknown"];

export function service(name: string, o: ServiceOptions = {}): Operation {
  const unit = unitName(name);
  const u = quote(unit);
  const fact = unitFact(unit);
  return declareOp({
    kind: "service",
    name: unit,
    ...commonFields(o),
    facts: () => [fact],
    plan(facts) {
      const cur = facts.get(fact);
      // Only an op that would start, restart, reload or enable the unit has something to do once it is installed.
      if (cur.load === "not-found" && ((o.state !== undefined && o.state !== "stopped") || o.enabled === true)) {
        return { changed: true, summary: `unit not found yet (${o.state ?? "enable"} after install)` };
      }
      const todo: string[] = [];
      if (cur.needDaemonReload) todo.push("daemon-reload");
      // As `systemctl is-active` sees it (the apply's test): a reloading unit is running.
      if (o.state === "started" && cur.active !== "active" && cur.active !== "reloading") todo.push("start");
      if (o.state === "stopped" && !STOPPED.includes(cur.active)) todo.push("stop");
      if (o.state === "restarted") todo.push("restart");
      if (o.state === "reloaded") todo.push("reload");
      // Same set the apply fragment leaves alone (enabled|static|alias), so plan and apply agree.
      if (o.enabled === true && !["enabled", "static", "alias"].includes(cur.unitFile)) todo.push("enable");
      if (o.enabled === false && cur.unitFile === "enabled") todo.push("disable");
      return todo.length
        ? { changed: true, summary: todo.join(", ") }
        : { changed: false, summary: `${cur.active}${cur.unitFile ? `, ${cur.unitFile}` : ""}` };
    },
    apply() {
      // One `systemctl show` answers what three systemctl calls did (a process each); the state it gives is
      // the plan's. is-enabled is still asked before enabling or disabling: for an alias name it answers
      // "alias" where show gives the state of the unit it points to.
      const show = (props: string) => `__sv=$(systemctl show -p ${props} ${u})`;
      const sh = [
        show("NeedDaemonReload,ActiveState,UnitFileState"),
        `case "$__sv" in *NeedDaemonReload=yes*) systemctl daemon-reload; __changed; ${show("ActiveState,UnitFileState")};; esac`,
        "__as=; __uf=",
        "while IFS='=' read -r __k __v; do case $__k in ActiveState) __as=$__v;; UnitFileState) __uf=$__v;; esac; done <<__BOSUN_EOF",
        "$__sv",
        "__BOSUN_EOF",
      ];
      if (o.state === "started") sh.push(`case "$__as" in active|reloading) ;; *) systemctl start ${u}; __changed;; esac`);
      // Not "active or not": an activating unit is not "active" yet, but left alone it comes up.
      if (o.state === "stopped") sh.push(`case "$__as" in ${STOPPED.join("|")}) ;; *) systemctl stop ${u}; __changed;; esac`);
      if (o.state === "restarted") sh.push(`systemctl restart ${u}; __changed`);
      if (o.state === "reloaded") sh.push(`systemctl reload-or-restart ${u}; __changed`);
      if (o.enabled === true)
        sh.push(
          `case "$__uf" in enabled|static|alias) ;; *) case "$(systemctl is-enabled ${u} 2>/dev/null)" in enabled|static|alias) ;; *) systemctl enable -q ${u}; __changed;; esac;; esac`,
        );
      if (o.enabled === false)
        sh.push(
          `[ "$__uf" != enabled ] || [ "$(systemctl is-enabled ${u} 2>/dev/null)" != enabled ] || { systemctl disable -q ${u}; __changed; }`,
        );
      return sh.join("\n");
    },
  });
}
