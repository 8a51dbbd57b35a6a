/**
 * Time-driven work: polling the tracked branch every poll_interval seconds, and drift checks on the
 * drift_schedule cron expression (croner), for each environment that has an applied commit.
 */
import { Cron } from "croner";
import { logger } from "../log.js";

const log = logger("server");

/** Returns the next n times a cron expression fires after `from` (UTC). */
export function nextFirings(expr: string, from: Date, n: number): Date[] {
  const job = new Cron(expr, { paused: true, timezone: "UTC" });
  try {
    return job.nextRuns(n, from);
  } finally {
    job.stop();
  }
}

/** Returns the environments a drift check covers: those with an applied commit (nothing to compare against otherwise). */
export function driftTargets(envs: string[], appliedCommit: (env: string) => string | undefined): string[] {
  return envs.filter((e) => appliedCommit(e) !== undefined);
}

export interface SchedulerHooks {
  poll: () => Promise<unknown>;
  driftCheck: () => Promise<unknown>;
}

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private cron: Cron | undefined;
  private polling = false;

  constructor(
    private readonly pollIntervalS: number,
    private readonly driftSchedule: string,
    private readonly hooks: SchedulerHooks,
  ) {}

  start(): void {
    if (this.pollIntervalS > 0) this.timer = setInterval(() => void this.pollOnce(), this.pollIntervalS * 1000);
    if (this.driftSchedule) {
      this.cron = new Cron(this.driftSchedule, { timezone: "UTC", protect: true }, async () => {
        try {
          await this.hooks.driftCheck();
        } catch (err) {
          log.error("scheduled drift check failed", { error: (err as Error).message });
        }
      });
    }
  }

  /** Polls now unless a poll is already under way (a slow fetch never stacks up). */
  async pollOnce(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.hooks.poll();
    } catch (err) {
      log.error("poll failed", { error: (err as Error).message });
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.cron?.stop();
  }
}
