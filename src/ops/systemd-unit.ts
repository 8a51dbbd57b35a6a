import { declareOp } from "../core/collector.js";
import type { CommonOptions, Operation } from "../core/operation.js";
import { unitName } from "../facts/systemd.js";
import type { Content } from "./content.js";
import { fileOp } from "./file.js";

export interface UnitOptions extends CommonOptions {
  content: Content;
}

/** Ensures a unit file in /etc/systemd/system; runs `systemctl daemon-reload` when it changed. */
export function systemdUnit(name: string, o: UnitOptions): Operation {
  const unit = unitName(name);
  const f = fileOp(`/etc/systemd/system/${unit}`, { ...o, mode: "0644", owner: "root", group: "root" }, "systemd_unit");
  return declareOp({
    ...f,
    name: unit,
    apply: () => `${f.apply()}\nif [ -e "$__cf" ]; then systemctl daemon-reload; fi`,
  });
}
