import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FactLookup, FactRequest } from "../../../src/core/operation.js";
import { parseUnitState, unitName } from "../../../src/facts/systemd.js";
import { service } from "../../../src/ops/service.js";
import { declared } from "./kit.js";

/** Returns a FactLookup that answers the unit fact of unit with output. */
function unitLookup(unit: string, output: string): FactLookup {
  return {
    get<T>(req: FactRequest<T>): T {
      assert.equal(req.key, `unit:${unit}`);
      return req.parse(output, 0);
    },
  };
}

/** Returns `systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload` output (systemd 252 order). */
function show(load: string, active: string, sub: string, unitFile: string, reload = "no"): string {
  return `NeedDaemonReload=${reload}\nLoadState=${load}\nActiveState=${active}\nSubState=${sub}\nUnitFileState=${unitFile}\n`;
}

const RUNNING_ENABLED = show("loaded", "active", "running", "enabled");
const DEAD_DISABLED = show("loaded", "inactive", "dead", "disabled");
const STARTING = show("loaded", "activating", "start", "enabled");
const STATIC_DEAD = show("loaded", "inactive", "dead", "static");
const ALIAS_RUNNING = show("loaded", "active", "running", "alias");
const STALE_UNIT = show("loaded", "active", "running", "enabled", "yes");
const NOT_FOUND = show("not-found", "inactive", "dead", "");

const plan = (o: Parameters<typeof service>[1], output: string) =>
  declared(() => service("nginx", o)).plan(unitLookup("nginx.service", output));

describe("parseUnitState and unitName", () => {
  it("parses systemctl show output", () => {
    assert.deepEqual(parseUnitState(STALE_UNIT), {
      load: "loaded",
      active: "active",
      sub: "running",
      unitFile: "enabled",
      needDaemonReload: true,
    });
    assert.deepEqual(parseUnitState(NOT_FOUND), {
      load: "not-found",
      active: "inactive",
      sub: "dead",
      unitFile: "",
      needDaemonReload: false,
    });
  });

  it("adds .service to bare names only", () => {
    assert.equal(unitName("nginx"), "nginx.service");
    assert.equal(unitName("apt-daily.timer"), "apt-daily.timer");
    assert.equal(unitName("systemd-journald.socket"), "systemd-journald.socket");
  });
});

describe("service op", () => {
  it("is a service op named for its unit, with one unit fact", () => {
    const op = declared(() => service("nginx", { state: "started" }));
    assert.equal(op.kind, "service");
    assert.equal(op.name, "nginx.service");
    assert.deepEqual(
      op.facts().map((f) => f.key),
      ["unit:nginx.service"],
    );
  });

  describe("started", () => {
    it("does nothing for a running unit", () => {
      assert.deepEqual(plan({ state: "started" }, RUNNING_ENABLED), { changed: false, summary: "active, enabled" });
    });
    it("starts a stopped unit", () => {
      assert.deepEqual(plan({ state: "started" }, DEAD_DISABLED), { changed: true, summary: "start" });
    });
    it("applies with a start guarded by the unit's ActiveState, as is-active judges it", () => {
      const sh = declared(() => service("nginx", { state: "started" })).apply();
      assert.match(sh, /systemctl show -p NeedDaemonReload,ActiveState,UnitFileState nginx\.service/);
      assert.match(sh, /case "\$__as" in active\|reloading\) ;; \*\) systemctl start nginx\.service; __changed;; esac/);
    });
  });

  describe("stopped", () => {
    it("stops a running or starting unit", () => {
      assert.deepEqual(plan({ state: "stopped" }, RUNNING_ENABLED), { changed: true, summary: "stop" });
      assert.deepEqual(plan({ state: "stopped" }, STARTING), { changed: true, summary: "stop" });
    });
    it("does nothing for a stopped unit", () => {
      assert.deepEqual(plan({ state: "stopped" }, DEAD_DISABLED), { changed: false, summary: "inactive, disabled" });
    });
    it("does nothing for a unit that does not exist", () => {
      assert.equal(plan({ state: "stopped" }, NOT_FOUND).changed, false);
      assert.equal(plan({ state: "stopped", enabled: false }, NOT_FOUND).changed, false);
    });
  });

  describe("restarted and reloaded", () => {
    it("always restart / reload, whatever the state", () => {
      assert.deepEqual(plan({ state: "restarted" }, RUNNING_ENABLED), { changed: true, summary: "restart" });
      assert.deepEqual(plan({ state: "reloaded" }, RUNNING_ENABLED), { changed: true, summary: "reload" });
      assert.deepEqual(plan({ state: "restarted" }, DEAD_DISABLED), { changed: true, summary: "restart" });
    });
    it("apply unconditionally", () => {
      assert.match(declared(() => service("nginx", { state: "restarted" })).apply(), /^systemctl restart nginx\.service; __changed$/m);
      assert.match(
        declared(() => service("nginx", { state: "reloaded" })).apply(),
        /^systemctl reload-or-restart nginx\.service; __changed$/m,
      );
    });
  });

  describe("enabled", () => {
    it("enables a disabled unit, leaves enabled, static and alias units alone", () => {
      assert.deepEqual(plan({ enabled: true }, DEAD_DISABLED), { changed: true, summary: "enable" });
      assert.equal(plan({ enabled: true }, RUNNING_ENABLED).changed, false);
      assert.equal(plan({ enabled: true }, STATIC_DEAD).changed, false);
      assert.equal(plan({ enabled: true }, ALIAS_RUNNING).changed, false);
    });
    it("disables an enabled unit only", () => {
      assert.deepEqual(plan({ enabled: false }, RUNNING_ENABLED), { changed: true, summary: "disable" });
      assert.equal(plan({ enabled: false }, DEAD_DISABLED).changed, false);
      assert.equal(plan({ enabled: false }, STATIC_DEAD).changed, false);
    });
    it("combines state and enablement", () => {
      assert.deepEqual(plan({ state: "started", enabled: true }, DEAD_DISABLED), { changed: true, summary: "start, enable" });
    });
    it("applies enable and disable guarded by is-enabled", () => {
      assert.match(
        declared(() => service("nginx", { enabled: true })).apply(),
        /case "\$\(systemctl is-enabled nginx\.service.*enabled\|static\|alias\) ;;/,
      );
      assert.match(declared(() => service("nginx", { enabled: false })).apply(), /systemctl disable -q nginx\.service; __changed;/);
    });
  });

  it("reloads systemd first when the unit file changed on disk", () => {
    assert.deepEqual(plan({ state: "started" }, STALE_UNIT), { changed: true, summary: "daemon-reload" });
    assert.deepEqual(plan({ state: "restarted" }, STALE_UNIT), { changed: true, summary: "daemon-reload, restart" });
    assert.match(declared(() => service("nginx")).apply(), /\*NeedDaemonReload=yes\*\) systemctl daemon-reload; __changed;/);
  });

  describe("a unit that does not exist yet (installed by an earlier op of the run)", () => {
    it("plans the start or enable it will do after the install", () => {
      assert.deepEqual(plan({ state: "started", enabled: true }, NOT_FOUND), {
        changed: true,
        summary: "unit not found yet (started after install)",
      });
      assert.deepEqual(plan({ enabled: true }, NOT_FOUND), { changed: true, summary: "unit not found yet (enable after install)" });
      assert.equal(plan({ state: "restarted" }, NOT_FOUND).changed, true);
    });

    it("plans nothing when the op has nothing to do", () => {
      assert.equal(plan({}, NOT_FOUND).changed, false);
    });
  });
});
