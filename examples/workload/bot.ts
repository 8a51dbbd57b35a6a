/**
 * The work itself, a stand-in for a trading bot: each tick moves a deterministic price per symbol and,
 * when it crosses the moving average, decides an order. Dry-run logs the order it would place; production
 * "places" it (this example talks to no exchange). Counters feed /metrics.
 */
import type { Config } from "./config.js";
import type { Log } from "./log.js";

export interface BotState {
  ticks: number;
  /** Orders by "mode/symbol/side". */
  orders: Map<string, number>;
  prices: Map<string, number>;
  positions: Map<string, number>;
}

export function newState(): BotState {
  return { ticks: 0, orders: new Map(), prices: new Map(), positions: new Map() };
}

/** Advances the state by one tick; returns the orders decided ("BTC-USD buy"). Pure but for the log. */
export function tick(state: BotState, cfg: Config["strategy"], production: boolean, log: Log): string[] {
  state.ticks++;
  const decided: string[] = [];
  cfg.symbols.forEach((symbol, i) => {
    const prev = state.prices.get(symbol) ?? 100;
    // A deterministic wiggle: the same ticks give the same prices (tests and replays agree).
    const price = Math.round((prev + Math.sin(state.ticks / 3 + i) * 2) * 100) / 100;
    state.prices.set(symbol, price);
    const pos = state.positions.get(symbol) ?? 0;
    const side = price > prev && pos < cfg.max_position ? "buy" : price < prev && pos > 0 ? "sell" : undefined;
    if (!side) return;
    state.positions.set(symbol, pos + (side === "buy" ? 1 : -1));
    const mode = production ? "production" : "dry_run";
    const key = `${mode}/${symbol}/${side}`;
    state.orders.set(key, (state.orders.get(key) ?? 0) + 1);
    log.debug(production ? "order placed" : "order not placed (dry run)", { symbol, side, price });
    decided.push(`${symbol} ${side}`);
  });
  return decided;
}

/** Returns the Prometheus text exposition of the state. */
export function metrics(state: BotState, info: { version: string; production: boolean; startedAt: number }): string {
  const lines = [
    "# HELP workload_info Version and mode of the running workload.",
    "# TYPE workload_info gauge",
    `workload_info{version="${info.version}",mode="${info.production ? "production" : "dry_run"}"} 1`,
    "# HELP workload_ticks_total Evaluations since start.",
    "# TYPE workload_ticks_total counter",
    `workload_ticks_total ${state.ticks}`,
    "# HELP workload_orders_total Orders decided, by mode, symbol and side.",
    "# TYPE workload_orders_total counter",
    ...[...state.orders].map(([k, n]) => {
      const [mode, symbol, side] = k.split("/");
      return `workload_orders_total{mode="${mode}",symbol="${symbol}",side="${side}"} ${n}`;
    }),
    "# HELP process_start_time_seconds Start time of the process since the epoch.",
    "# TYPE process_start_time_seconds gauge",
    `process_start_time_seconds ${Math.floor(info.startedAt / 1000)}`,
  ];
  return `${lines.join("\n")}\n`;
}
