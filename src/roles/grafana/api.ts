/**
 * What the grafana role does through Grafana's HTTP API, as sh run on the Grafana host: users and
 * service-account tokens. Credentials come from a root-only curl config file and passwords from the
 * environment of the script (both travel on stdin), never from a command line; a created token is
 * printed only on the stdout of its `hostSecret` create command, which keeps it in a root-only file
 * and sends it back into the vault (never into a log).
 */
import { quote } from "bosun";

/** A Grafana user created through the API. */
export interface GrafanaUser {
  /** Login name. */
  login: string;
  /** Email address. Default LOGIN@localhost. */
  email?: string;
  /** Display name. Default the login. */
  name?: string;
  /** Initial password, a Secret from the vault (set when the user is created; later changes are the user's). */
  password: unknown;
  /** Role in the main organisation. Default "Viewer". */
  role?: "Viewer" | "Editor" | "Admin";
}

/** A service account with one API token, created once; kept in `tokenDir`/NAME.token (0600) and in the vault. */
export interface GrafanaToken {
  /** Service account and token name. */
  name: string;
  /** The account's role. Default "Viewer". */
  role?: "Viewer" | "Editor" | "Admin";
  /** Key of the token in the role's `tokenVault` file. Default "grafana_token_NAME" (`-` as `_`). */
  vaultKey?: string;
}

/** Where the API calls find Grafana and the admin credentials. */
export interface ApiTarget {
  /** Base URL, e.g. "http://127.0.0.1:3000". */
  url: string;
  /** curl config file holding `user = "admin:…"`. */
  curlrc: string;
}

const JSON_HEADER = "-H 'Content-Type: application/json'";

/** Returns the curl command of a call; `id` names a shell variable appended to the URL (an id found at run time). */
function curl(t: ApiTarget, path: string, extra = "", id = ""): string {
  return `curl -fsS --max-time 10 -K ${quote(t.curlrc)} ${extra}${quote(`${t.url}${path}`)}${id ? `"$${id}"` : ""}`;
}

/** Returns the sh that succeeds when the user exists (the guard that makes creation idempotent). */
export function userExists(t: ApiTarget, login: string): string {
  return `${curl(t, `/api/users/lookup?loginOrEmail=${encodeURIComponent(login)}`)} -o /dev/null`;
}

/** Returns the sh that creates the user (password from $BOSUN_GRAFANA_PASSWORD) and sets its role. */
export function createUser(t: ApiTarget, u: GrafanaUser): string {
  const args = `--arg login ${quote(u.login)} --arg name ${quote(u.name ?? u.login)} --arg email ${quote(u.email ?? `${u.login}@localhost`)}`;
  return [
    `jq -n ${args} '{login: $login, name: $name, email: $email, password: env.BOSUN_GRAFANA_PASSWORD}' | ${curl(t, "/api/admin/users", `${JSON_HEADER} --data-binary @- `)} >/dev/null`,
    `__id=$(${curl(t, `/api/users/lookup?loginOrEmail=${encodeURIComponent(u.login)}`)} | jq -r .id)`,
    `jq -n --arg role ${quote(u.role ?? "Viewer")} '{role: $role}' | ${curl(t, "/api/org/users/", `-X PATCH ${JSON_HEADER} --data-binary @- `, "__id")} >/dev/null`,
  ].join("\n");
}

/** Returns the sh that creates the service account and its token and prints the token (only) on stdout. */
export function createToken(t: ApiTarget, tok: GrafanaToken): string {
  return [
    `__sa=$(jq -n --arg name ${quote(tok.name)} --arg role ${quote(tok.role ?? "Viewer")} '{name: $name, role: $role}' | ${curl(t, "/api/serviceaccounts", `${JSON_HEADER} --data-binary @- `)} | jq -r .id)`,
    `case "$__sa" in ''|null) echo ${quote(`grafana: service account ${tok.name} was not created (does it exist already? delete it in Grafana to create a new token)`)} >&2; exit 1;; esac`,
    `jq -n --arg name ${quote(tok.name)} '{name: $name}' | ${curl(t, "/api/serviceaccounts/", `${JSON_HEADER} --data-binary @- `, "__sa")}/tokens | jq -er .key`,
  ].join("\n");
}
