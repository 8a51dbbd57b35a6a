import path from "node:path";

/** Returns the install prefix: $PREFIX or /srv. */
export function prefix(env: NodeJS.ProcessEnv = process.env): string {
  return env.PREFIX && env.PREFIX.length > 0 ? env.PREFIX : "/srv";
}

/** Returns p made absolute: relative paths are taken under the prefix, like the rest of the fleet's state. */
export function underPrefix(p: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.isAbsolute(p) ? p : path.join(prefix(env), p);
}

/** Returns the default state dir: ${PREFIX:-/srv}/data/bosun. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(prefix(env), "data", "bosun");
}
