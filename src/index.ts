/**
 * The bosun library: what users' inventory, site and role files import.
 * `import { deploy, role, handler, file, apt, service } from "bosun"`.
 */
export { handler } from "./core/collector.js";
export type { CommonOptions, ConnectionGuard, FactRequest, Operation, OpPlan, VaultOutput } from "./core/operation.js";
export { type Deployment, deploy, type Play, type Role, type RoleContext, type RoleUse, role } from "./engine/declare.js";
export * from "./errors.js";
export type { HostFacts } from "./facts/host.js";
export { loadInventoryFile } from "./inventory/load.js";
export type { Vars } from "./inventory/model.js";
export { Inventory } from "./inventory/model.js";
export { selectHosts } from "./inventory/patterns.js";
export type { GroupSpec, HostSpec, InventorySpec, TypedInventory } from "./inventory/typed.js";
export { inventory } from "./inventory/typed.js";
export * from "./ops/index.js";
export * from "./pipeline/index.js";
export { exposureProblem, ServerConfigSchema } from "./server/config.js";
export { TransportPool } from "./transport/pool.js";
export type { ExecOptions, ExecResult, Transport } from "./transport/types.js";
export { quote, sh } from "./util/shell.js";
export { redact } from "./vault/redact.js";
export { isSecret, Secret } from "./vault/secret.js";
