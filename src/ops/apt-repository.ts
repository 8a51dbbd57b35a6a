import { declareOp } from "../core/collector.js";
import { type CommonOptions, commonFields, type Operation } from "../core/operation.js";
import { fileFact } from "../facts/file.js";
import { quote } from "../util/shell.js";
import type { Content } from "./content.js";
import { fileOp } from "./file.js";

export interface AptRepositoryOptions extends CommonOptions {
  /** Base URI of the repository ("https://download.docker.com/linux/debian"). */
  uri: string;
  /** Distribution ("bookworm"), or a path ending in "/" for a flat repository ("./"). */
  suite: string;
  /** Components ("main", "contrib"); none for a flat repository. */
  components?: string[];
  /** Path of the key the repository is signed with (e.g. aptKey(…).name). */
  signedBy?: string;
  /** Architectures to fetch ("amd64"); default: apt's. */
  arch?: string | string[];
  /** Types of archives; default ["deb"]. */
  types?: ("deb" | "deb-src")[];
  /** Accept the repository unsigned (Trusted: yes), e.g. a local mirror without a Release file. */
  trusted?: boolean;
  state?: "present" | "absent";
}

/** The sh that makes the next apt operation refresh its package lists (see aptUpdateIfStale). */
export const MARK_APT_LISTS_STALE = "rm -f /var/lib/apt/lists/.bosun-stamp";

/**
 * Returns (without declaring) an op that keeps a file apt reads (a source or a key) with this content;
 * when it changes it, apt's lists are marked stale so the next apt op updates them.
 */
export function aptConfigFileOp(kind: string, path: string, content: Content, o: CommonOptions): Operation {
  const f = fileOp(path, { ...o, content, mode: "0644", owner: "root", group: "root" }, kind);
  const dir = quote(path.slice(0, path.lastIndexOf("/")));
  return {
    ...f,
    apply: () => [`[ -d ${dir} ] || mkdir -p -m 0755 ${dir}`, f.apply(), `[ ! -e "$__cf" ] || ${MARK_APT_LISTS_STALE}`].join("\n"),
  };
}

/** Returns (without declaring) an op that removes files apt reads (named by the first), marking apt's lists stale. */
export function aptConfigAbsentOp(kind: string, paths: string[], o: CommonOptions): Operation {
  const facts = paths.map(fileFact);
  return {
    kind,
    name: paths[0] as string,
    ...commonFields(o),
    facts: () => facts,
    plan(lookup) {
      const there = paths.filter((_, i) => lookup.get(facts[i]!).type !== "absent");
      return there.length ? { changed: true, summary: `remove ${there.join(" ")}` } : { changed: false, summary: "absent" };
    },
    apply: () =>
      paths
        .map((p) => `if [ -e ${quote(p)} ] || [ -L ${quote(p)} ]; then rm -f ${quote(p)}; ${MARK_APT_LISTS_STALE}; __changed; fi`)
        .join("\n"),
  };
}

/** Throws unless name can be a file name under /etc/apt. */
export function requireAptName(kind: string, name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`${kind}: bad name "${name}" (expected letters, digits, _ . -)`);
}

/** Returns the deb822 stanza of a repository; throws on values apt would reject. */
export function debSources(name: string, o: AptRepositoryOptions): string {
  const k = `apt_repository ${name}`;
  const word = (what: string, v: unknown) => {
    if (typeof v !== "string" || !/^\S+$/.test(v)) throw new Error(`${k}: bad ${what} ${JSON.stringify(v)} (expected one word)`);
    return v;
  };
  if (typeof o.uri !== "string" || !/^[a-z][a-z0-9+.-]*:\S+$/.test(o.uri)) throw new Error(`${k}: bad uri ${JSON.stringify(o.uri)}`);
  word("suite", o.suite);
  const components = (o.components ?? []).map((c) => word("component", c));
  const flat = o.suite.endsWith("/");
  if (flat && components.length) throw new Error(`${k}: a flat repository (suite "${o.suite}") takes no components`);
  if (!flat && !components.length) throw new Error(`${k}: components are required (e.g. ["main"]) unless suite is a path ending in "/"`);
  const arch = o.arch === undefined ? [] : (Array.isArray(o.arch) ? o.arch : [o.arch]).map((a) => word("arch", a));
  for (const a of arch) if (!/^[a-z0-9-]+$/.test(a)) throw new Error(`${k}: bad arch "${a}"`);
  const types = o.types ?? ["deb"];
  for (const t of types) if (t !== "deb" && t !== "deb-src") throw new Error(`${k}: bad type "${t}" (expected deb or deb-src)`);
  if (o.signedBy !== undefined && !word("signedBy", o.signedBy).startsWith("/"))
    throw new Error(`${k}: signedBy must be the absolute path of a key file, got "${o.signedBy}"`);
  const fields: [string, string | undefined][] = [
    ["Types", types.join(" ")],
    ["URIs", o.uri],
    ["Suites", o.suite],
    ["Components", components.join(" ") || undefined],
    ["Architectures", arch.join(" ") || undefined],
    ["Signed-By", o.signedBy],
    ["Trusted", o.trusted ? "yes" : undefined],
  ];
  return fields
    .filter(([, v]) => v !== undefined)
    .map(([f, v]) => `${f}: ${v}\n`)
    .join("");
}

/**
 * Ensures an apt source /etc/apt/sources.list.d/NAME.sources (deb822 format); when it changes, the next
 * apt operation refreshes the package lists.
 */
export function aptRepository(name: string, o: AptRepositoryOptions | (CommonOptions & { state: "absent" })): Operation {
  requireAptName("apt_repository", name);
  const state = o.state ?? "present";
  if (state !== "present" && state !== "absent")
    throw new Error(`apt_repository ${name}: bad state "${state}" (expected present or absent)`);
  const path = `/etc/apt/sources.list.d/${name}.sources`;
  if (state === "absent") return declareOp(aptConfigAbsentOp("apt_repository", [path], o));
  return declareOp(aptConfigFileOp("apt_repository", path, debSources(name, o as AptRepositoryOptions), o));
}
