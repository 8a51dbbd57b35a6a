/**
 * The reconciler: turns new commits, approvals, rollbacks and drift checks into queued runs, and works
 * the queue (one run per environment at a time, in order) through the run API. The queue is the
 * storage's: whatever is queued when the process stops is worked on after it starts again.
 */
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import path from "node:path";
import type { LoadedConfig } from "../config/load.js";
import type { RunEvent } from "../core/events.js";
import { typecheckSite } from "../engine/typecheck.js";
import { BosunError } from "../errors.js";
import { logger } from "../log.js";
import type { EnvironmentConfig } from "./config.js";
import type { GitSource } from "./git.js";
import type { Metrics } from "./metrics.js";
import { afterRun, finalStatus, RunSummarizer, type RunSummary } from "./policy.js";
import { startRun } from "./runner.js";
import type { PipelineStages, StageRequest } from "./stages.js";
import type { CommitInfo, JobKind, NewRun, ServerRun, Storage } from "./storage.js";
import type { Notify } from "./webhooks.js";

const log = logger("server");

export interface ReconcilerDeps {
  storage: Storage;
  git: GitSource;
  config: LoadedConfig;
  metrics: Metrics;
  notify: Notify;
  /** The tracked repository's pipeline, when `[server] pipeline` names one. */
  stages?: PipelineStages;
}

/** Emits "event" (run id, RunEvent) while runs go and "run" (ServerRun) whenever a run changes. */
export class Reconciler extends EventEmitter {
  private readonly active = new Map<number, { abort: AbortController; done: Promise<void> }>();
  private accepting = true;
  private readonly typechecks = new Map<string, Promise<void>>();
  private readonly envs: Record<string, EnvironmentConfig>;

  constructor(private readonly d: ReconcilerDeps) {
    super();
    this.setMaxListeners(0);
    this.envs = d.config.config.server.environments;
  }

  get environments(): string[] {
    return Object.keys(this.envs);
  }

  /** Records runs a killed process left running as interrupted, then starts the queued ones. */
  resume(): void {
    for (const r of this.d.storage.interruptOrphans("the server stopped during this run")) {
      log.warn("run was interrupted by a server stop", { run: r.id, env: r.env, kind: r.kind });
      this.d.metrics.runs.inc({ env: r.env, kind: r.kind, status: "interrupted" });
      this.emit("run", r);
    }
    this.kick();
  }

  /** Fetches the tracked branch; a new head queues a plan in every environment. Returns the head. */
  async poll(by = "git"): Promise<CommitInfo> {
    const head = await this.d.git.fetch();
    this.d.metrics.lastReconcile.set({ repo: this.d.git.url }, Date.now() / 1000);
    const key = `seen:${this.d.git.url}#${this.d.git.branch}`;
    if (this.d.storage.getMeta(key) !== head.sha) {
      log.info("new commit", { commit: head.sha.slice(0, 12), author: head.author, message: head.message });
      this.d.storage.setMeta(key, head.sha);
      for (const env of this.environments) this.enqueue(env, "plan", head, by);
    }
    return head;
  }

  /** Queues a run of kind at ref (a SHA or ref of the tracked repository). */
  async request(env: string, kind: JobKind, by: string, ref?: string): Promise<ServerRun> {
    this.checkEnv(env);
    let commit: CommitInfo;
    if (kind === "drift") {
      const applied = this.d.storage.getMeta(`applied:${env}`);
      if (!applied) throw new BosunError(`environment ${env} has no applied commit yet: nothing to check drift against`);
      commit = await this.d.git.resolve(applied);
    } else commit = ref ? await this.resolveOrFetch(ref) : await this.d.git.fetch();
    return this.enqueue(env, kind, commit, by);
  }

  /** Returns the commit stage runs use: the tracked branch's head as last seen (fetched when none yet). */
  async head(): Promise<CommitInfo> {
    const seen = this.d.storage.getMeta(`seen:${this.d.git.url}#${this.d.git.branch}`);
    return seen ? this.d.git.resolve(seen) : this.d.git.fetch();
  }

  /** Returns the configured pipeline, or throws saying how to configure one. */
  pipeline(): PipelineStages {
    if (!this.d.stages) throw new BosunError("no pipeline configured: set [server] pipeline to the pipeline file of the repository");
    return this.d.stages;
  }

  /** Queues a run (or rollback) of a pipeline stage at the head, after checking the request as the CLI does. */
  async requestStage(env: string, stage: string, kind: "stage" | "stage-rollback", req: StageRequest, by: string): Promise<ServerRun> {
    const run = await this.pipeline().check(await this.head(), env, stage, kind, req, by);
    return this.enqueueRun(run);
  }

  /** Approves a plan waiting for approval: queues the apply of its commit. */
  approve(id: number, by: string): ServerRun {
    const plan = this.d.storage.get(id);
    if (plan?.approval !== "pending") throw new BosunError(`run ${id} is not waiting for an approval`);
    this.d.storage.update(id, { approval: "approved", approvedBy: by });
    this.emit("run", this.d.storage.get(id));
    return this.enqueue(plan.env, "apply", plan.commit, by, id);
  }

  /** Stops starting runs; waits up to graceMs for the running ones, then interrupts them and waits for their records. */
  async stop(graceMs: number): Promise<void> {
    this.accepting = false;
    const all = () => Promise.all([...this.active.values()].map((a) => a.done));
    if (this.active.size === 0) return;
    log.info("stopping: waiting for runs in flight", { runs: this.active.size, grace_s: graceMs / 1000 });
    const timer = new Promise<"late">((r) => setTimeout(() => r("late"), graceMs).unref());
    if ((await Promise.race([all(), timer])) === "late") {
      log.warn("grace period over: interrupting runs in flight", { runs: this.active.size });
      for (const a of this.active.values()) a.abort.abort();
      await all();
    }
  }

  private checkEnv(env: string): void {
    if (!this.envs[env]) throw new BosunError(`unknown environment "${env}" (configured: ${this.environments.join(", ") || "none"})`);
  }

  private async resolveOrFetch(ref: string): Promise<CommitInfo> {
    try {
      return await this.d.git.resolve(ref);
    } catch {
      await this.d.git.fetch();
      return this.d.git.resolve(ref);
    }
  }

  private enqueue(env: string, kind: JobKind, commit: CommitInfo, by: string, parent?: number): ServerRun {
    if (kind === "plan") {
      // A newer plan replaces older ones waiting for approval: approving a stale plan would deploy old code.
      for (const r of this.d.storage.list({ env, limit: 1000 })) {
        if (r.approval === "pending") this.emit("run", this.d.storage.update(r.id, { approval: "superseded" }));
      }
    }
    return this.enqueueRun({ env, kind, commit, by, parent });
  }

  private enqueueRun(r: NewRun): ServerRun {
    const run = this.d.storage.enqueue(r);
    const { env, kind, commit, by } = r;
    this.d.storage.audit({
      who: by,
      action: `queue ${kind}`,
      detail: `run ${run.id} env=${env}${r.stage ? ` stage=${r.stage}` : ""} commit=${commit.sha}${r.inputs ? ` inputs=${JSON.stringify(r.inputs)}` : ""}`,
    });
    this.d.metrics.queueDepth.set(this.d.storage.queueDepth());
    this.emit("run", run);
    this.kick();
    return run;
  }

  /** Starts every queued run whose environment is free. */
  kick(): void {
    while (this.accepting) {
      const next = this.d.storage.nextQueued();
      if (!next || [...this.active.keys()].some((id) => this.d.storage.get(id)?.env === next.env)) return;
      const running = this.d.storage.update(next.id, { status: "running", startedAt: new Date().toISOString() });
      this.d.metrics.queueDepth.set(this.d.storage.queueDepth());
      this.emit("run", running);
      const abort = new AbortController();
      const done = this.execute(running, abort.signal).finally(() => {
        this.active.delete(next.id);
        this.kick();
      });
      this.active.set(next.id, { abort, done });
    }
  }

  /**
   * Type-checks a checkout's site once, however many environments plan it at the same time: runSite
   * checks again, but finds the result in the shared cache instead of running the compiler twice.
   */
  private typecheckOnce(site: string): Promise<void> {
    let p = this.typechecks.get(site);
    if (!p) {
      p = typecheckSite(site, path.join(this.d.config.config.state_dir, "typecheck.json")).finally(() => this.typechecks.delete(site));
      this.typechecks.set(site, p);
    }
    return p;
  }

  private async execute(run: ServerRun, signal: AbortSignal): Promise<void> {
    const env = this.envs[run.env];
    const summary = new RunSummarizer();
    let error: unknown;
    let runId: string | undefined;
    const record = (e: RunEvent) => {
      if (e.type === "run_started") {
        runId ??= e.id;
        this.d.storage.update(run.id, { runId });
      }
      summary.add(e);
      this.d.storage.appendEvent(run.id, e);
      this.emit("event", run.id, e);
    };
    try {
      if (run.kind === "stage" || run.kind === "stage-rollback") {
        await this.pipeline().execute(run, signal, record);
        return this.finish(run, summary.summary(), runId, undefined);
      }
      if (!env) throw new BosunError(`environment ${run.env} is no longer configured`);
      const dir = await this.d.git.checkout(run.commit.sha);
      await this.typecheckOnce(path.join(dir, env.site));
      const inRepo = path.join(dir, env.inventory);
      const handle = startRun({
        mode: run.kind === "plan" || run.kind === "drift" ? "plan" : "apply",
        site: path.join(dir, env.site),
        inventory: existsSync(inRepo) ? inRepo : env.inventory,
        config: this.d.config,
        limit: env.limit,
        lockKey: `${run.env}/site`,
        signal,
        origin: { via: "server", by: run.by, env: run.env, commit: run.commit.sha },
      });
      for await (const e of handle.events) record(e);
      await handle.result;
    } catch (err) {
      error = err;
    }
    this.finish(run, summary.summary(), runId, error);
  }

  private finish(run: ServerRun, s: RunSummary, runId: string | undefined, error: unknown): void {
    const status = finalStatus(s, error);
    const message = error ? (error instanceof Error ? error.message : String(error)) : undefined;
    const next = afterRun({ ...run, status, changes: s.changes }, this.envs[run.env]?.policy ?? "approve");
    const done = this.d.storage.update(run.id, {
      status,
      endedAt: new Date().toISOString(),
      runId,
      hosts: s.hosts,
      changes: s.changes,
      error: message,
      approval: next === "await_approval" ? "pending" : undefined,
    });
    const m = this.d.metrics;
    m.runs.inc({ env: run.env, kind: run.kind, status });
    m.duration.observe({ env: run.env, kind: run.kind }, (Date.parse(done.endedAt ?? "") - Date.parse(done.startedAt ?? "")) / 1000 || 0);
    for (const h of Object.values(s.hosts))
      if (h.status === "failed" || h.status === "unreachable") m.failures.inc({ env: run.env, what: `host_${h.status}` });
    log.info("run finished", {
      run: run.id,
      env: run.env,
      kind: run.kind,
      status,
      changes: s.changes,
      commit: run.commit.sha.slice(0, 12),
    });
    if (status === "failed") {
      m.failures.inc({ env: run.env, what: "run" });
      void this.d.notify("run_failed", { run: run.id, env: run.env, kind: run.kind, commit: run.commit, error: message });
    }
    if (status === "succeeded" && (run.kind === "apply" || run.kind === "rollback")) {
      m.changedOps.inc({ env: run.env }, s.changes);
      for (const [host, h] of Object.entries(s.hosts))
        if (h.status === "ok" || h.status === "changed")
          this.d.storage.setVersion({ env: run.env, host, commit: run.commit.sha, run: run.id });
      this.d.storage.setMeta(`applied:${run.env}`, run.commit.sha);
      this.d.storage.setDrift(run.env, run.commit.sha, {});
      m.driftedHosts.set({ env: run.env }, 0);
    }
    if (status === "succeeded" && run.kind === "drift") {
      const drifted = Object.fromEntries(Object.entries(s.pending).filter(([, ops]) => ops.length > 0));
      const before = JSON.stringify(
        Object.fromEntries(
          this.d.storage
            .drift()
            .filter((x) => x.env === run.env)
            .map((x) => [x.host, x.ops]),
        ),
      );
      this.d.storage.setDrift(run.env, run.commit.sha, drifted);
      m.driftedHosts.set({ env: run.env }, Object.keys(drifted).length);
      // Told once per new drift, not at every scheduled check that finds the same.
      if (Object.keys(drifted).length > 0 && JSON.stringify(drifted) !== before) {
        log.warn("drift found", { env: run.env, hosts: Object.keys(drifted).join(",") });
        void this.d.notify("drift", { run: run.id, env: run.env, commit: run.commit.sha, hosts: drifted });
      }
    }
    this.emit("run", done);
    if (next === "apply") this.enqueue(run.env, "apply", run.commit, "git", run.id);
  }
}
