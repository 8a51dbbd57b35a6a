/**
 * Storage in one SQLite file (better-sqlite3). WAL with synchronous=NORMAL survives a killed process
 * (kill -9) without losing a committed row; every call is one short synchronous transaction.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { RunEvent } from "../core/events.js";
import { redact } from "../vault/redact.js";
import type { AuditEntry, DriftEntry, HostVersion, NewRun, RunPatch, RunStatus, ServerRun, Storage } from "./storage.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  env TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, by TEXT NOT NULL,
  sha TEXT NOT NULL, author TEXT NOT NULL, message TEXT NOT NULL,
  queued_at TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status, id);
CREATE TABLE IF NOT EXISTS events (run INTEGER NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (run, seq));
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (env TEXT NOT NULL, host TEXT NOT NULL, sha TEXT NOT NULL, run INTEGER NOT NULL, at TEXT NOT NULL, PRIMARY KEY (env, host));
CREATE TABLE IF NOT EXISTS drift (env TEXT NOT NULL, host TEXT NOT NULL, ops TEXT NOT NULL, sha TEXT NOT NULL, checked_at TEXT NOT NULL, PRIMARY KEY (env, host));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

interface RunRow {
  id: number;
  env: string;
  kind: string;
  status: string;
  by: string;
  sha: string;
  author: string;
  message: string;
  queued_at: string;
  data: string;
}

/** Fields of ServerRun kept in the JSON data column (everything that changes after queueing but status). */
type RunData = Omit<RunPatch, "status"> & Pick<ServerRun, "parent" | "stage" | "inputs" | "to">;

const now = () => new Date().toISOString();

function fromRow(r: RunRow): ServerRun {
  return {
    id: r.id,
    env: r.env,
    kind: r.kind as ServerRun["kind"],
    status: r.status as RunStatus,
    by: r.by,
    commit: { sha: r.sha, author: r.author, message: r.message },
    queuedAt: r.queued_at,
    ...(JSON.parse(r.data) as RunData),
  };
}

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
  }

  enqueue(run: NewRun): ServerRun {
    const { env: _e, kind: _k, commit: _c, by: _b, ...data } = run;
    const info = this.db
      .prepare("INSERT INTO runs (env, kind, status, by, sha, author, message, queued_at, data) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)")
      .run(run.env, run.kind, run.by, run.commit.sha, run.commit.author, run.commit.message, now(), JSON.stringify(data));
    return this.get(Number(info.lastInsertRowid)) as ServerRun;
  }

  nextQueued(): ServerRun | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM runs WHERE status = 'queued' AND env NOT IN (SELECT env FROM runs WHERE status = 'running') ORDER BY id LIMIT 1",
      )
      .get() as RunRow | undefined;
    return row && fromRow(row);
  }

  update(id: number, patch: RunPatch): ServerRun {
    const cur = this.get(id);
    if (!cur) throw new Error(`no server run ${id}`);
    const { status, ...rest } = patch;
    const { id: _i, env: _e, kind: _k, status: _s, by: _b, commit: _c, queuedAt: _q, ...data } = { ...cur, ...rest };
    this.db.prepare("UPDATE runs SET status = ?, data = ? WHERE id = ?").run(status ?? cur.status, redact(JSON.stringify(data)), id);
    return this.get(id) as ServerRun;
  }

  get(id: number): ServerRun | undefined {
    const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
    return row && fromRow(row);
  }

  list(filter: { env?: string; status?: RunStatus; limit?: number } = {}): ServerRun[] {
    const rows = this.db
      .prepare(
        "SELECT * FROM runs WHERE (@env IS NULL OR env = @env) AND (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit",
      )
      .all({ env: filter.env ?? null, status: filter.status ?? null, limit: filter.limit ?? 100 }) as RunRow[];
    return rows.map(fromRow);
  }

  queueDepth(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'queued'").get() as { n: number }).n;
  }

  interruptOrphans(reason: string): ServerRun[] {
    const orphans = this.list({ status: "running", limit: 1000 });
    for (const r of orphans) this.update(r.id, { status: "interrupted", endedAt: now(), error: reason });
    return orphans.map((r) => this.get(r.id) as ServerRun);
  }

  appendEvent(run: number, event: RunEvent): void {
    this.db
      .prepare("INSERT INTO events (run, seq, event) VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM events WHERE run = ?), ?)")
      .run(run, run, redact(JSON.stringify(event)));
  }

  events(run: number): RunEvent[] {
    const rows = this.db.prepare("SELECT event FROM events WHERE run = ? ORDER BY seq").all(run) as { event: string }[];
    return rows.map((r) => JSON.parse(r.event) as RunEvent);
  }

  audit(e: Omit<AuditEntry, "time">): void {
    this.db.prepare("INSERT INTO audit (time, who, action, detail) VALUES (?, ?, ?, ?)").run(now(), e.who, e.action, redact(e.detail));
  }

  auditLog(limit = 100): AuditEntry[] {
    return this.db.prepare("SELECT time, who, action, detail FROM audit ORDER BY id DESC LIMIT ?").all(limit) as AuditEntry[];
  }

  setVersion(v: Omit<HostVersion, "at">): void {
    this.db
      .prepare("INSERT OR REPLACE INTO versions (env, host, sha, run, at) VALUES (?, ?, ?, ?, ?)")
      .run(v.env, v.host, v.commit, v.run, now());
  }

  versions(): HostVersion[] {
    return this.db.prepare("SELECT env, host, sha AS 'commit', run, at FROM versions ORDER BY env, host").all() as HostVersion[];
  }

  setDrift(env: string, commit: string, hosts: Record<string, string[]>): void {
    const at = now();
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM drift WHERE env = ?").run(env);
      const ins = this.db.prepare("INSERT INTO drift (env, host, ops, sha, checked_at) VALUES (?, ?, ?, ?, ?)");
      for (const [host, ops] of Object.entries(hosts)) ins.run(env, host, JSON.stringify(ops), commit, at);
    })();
  }

  drift(): DriftEntry[] {
    const rows = this.db.prepare("SELECT env, host, ops, sha, checked_at FROM drift ORDER BY env, host").all() as {
      env: string;
      host: string;
      ops: string;
      sha: string;
      checked_at: string;
    }[];
    return rows.map((r) => ({ env: r.env, host: r.host, ops: JSON.parse(r.ops) as string[], commit: r.sha, checkedAt: r.checked_at }));
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(key, value);
  }

  close(): void {
    this.db.close();
  }
}
