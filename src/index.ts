/**
 * The bosun library: what users' inventory and site files import.
 * `import { inventory } from "bosun"`.
 */

export * from "./errors.js";
export { loadInventoryFile } from "./inventory/load.js";
export type { Vars } from "./inventory/model.js";
export { Inventory } from "./inventory/model.js";
export { selectHosts } from "./inventory/patterns.js";
export type { GroupSpec, HostSpec, InventorySpec, TypedInventory } from "./inventory/typed.js";
export { inventory } from "./inventory/typed.js";
export { TransportPool } from "./transport/pool.js";
export type { ExecOptions, ExecResult, Transport } from "./transport/types.js";
export { quote, sh } from "./util/shell.js";
