import type { FactBatchKind, FactRequest } from "../core/operation.js";
import { quote } from "../util/shell.js";

export interface UnitState {
  load: string;
  active: string;
  sub: string;
  /** enabled, disabled, static, masked, … ("" when the unit does not exist). */
  unitFile: string;
  needDaemonReload: boolean;
}

/** Returns the fact of a systemd unit's state (`systemctl show`). */
export function unitFact(unit: string): FactRequest<UnitState> {
  return { key: `unit:${unit}`, command: showCommand([unit]), parse: parseUnitState, batch: { kind: UNITS, arg: unit } };
}

function showCommand(units: string[]): string {
  return `systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload ${units.map(quote).join(" ")}`;
}

/**
 * The batch kind of unitFact: ONE `systemctl show` for every unit, which prints a block per unit in
 * the order asked (a unit that does not exist too, as not-found), blocks separated by a blank line.
 */
export const UNITS: FactBatchKind = {
  id: "unit",
  command: showCommand,
  split: (output, rc, units) => {
    const blocks = output.replace(/\n+$/, "").split("\n\n");
    // Anything but a block per unit (systemctl refused a name) cannot be matched to units: each runs alone.
    if (blocks.length !== units.length) return new Map();
    return new Map(units.map((u, i) => [u, { output: blocks[i] as string, rc }]));
  },
};

/** Parses `systemctl show -p …` key=value output. */
export function parseUnitState(output: string): UnitState {
  const kv: Record<string, string> = {};
  for (const line of output.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) kv[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return {
    load: kv.LoadState ?? "",
    active: kv.ActiveState ?? "",
    sub: kv.SubState ?? "",
    unitFile: kv.UnitFileState ?? "",
    needDaemonReload: kv.NeedDaemonReload === "yes",
  };
}

/** Returns the unit name with ".service" added when it has no unit suffix. */
export function unitName(name: string): string {
  return /\.(service|socket|timer|target|mount|path|slice|scope|automount|swap|device)$/.test(name) ? name : `${name}.service`;
}
