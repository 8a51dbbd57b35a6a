import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { handler } from "../../../src/core/collector.js";
import { type Play, type RoleContext, role } from "../../../src/engine/declare.js";
import { evaluatePlay, lazyFacts, NeedHostFacts, RoleError, selectedByTags, type TagFilter } from "../../../src/engine/evaluate.js";
import type { HostFacts } from "../../../src/facts/host.js";
import { Inventory } from "../../../src/inventory/model.js";
import { command } from "../../../src/ops/command.js";
import { file } from "../../../src/ops/file.js";

const THIS_FILE = fileURLToPath(import.meta.url);

/** Returns the 1-based line of this file that contains marker (to check reported file:line locations). */
function lineOf(marker: string): number {
  const lines = readFileSync(THIS_FILE, "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(marker) && !l.includes("lineOf("));
  assert.ok(i >= 0, `marker ${marker} not found`);
  return i + 1;
}

const inventory = Inventory.build({
  source: "test-inventory",
  vars: {},
  hosts: [
    { name: "web1", vars: { port: 8080 }, location: { file: "inv", line: 1 } },
    { name: "web2", vars: {}, location: { file: "inv", line: 2 } },
    { name: "db1", vars: { address: "10.0.0.5" }, location: { file: "inv", line: 3 } },
  ],
  groups: [
    { name: "web", hosts: ["web1", "web2"], children: [], vars: {}, location: { file: "inv", line: 4 } },
    { name: "db", hosts: ["db1"], children: [], vars: {}, location: { file: "inv", line: 5 } },
  ],
});

const facts = { os: "Linux", hostname: "web1" } as HostFacts;

/** Evaluates play for host web1 with its inventory vars. */
function evaluate(play: Play, filter: TagFilter = {}, f: HostFacts = facts) {
  return evaluatePlay({ play, host: "web1", inventory, vars: inventory.varsFor("web1", play.vars ?? {}), facts: f, filter });
}

/** Returns the op names of an evaluation, in order. */
const names = (e: { ops: { name: string }[] }) => e.ops.map((o) => o.name);

/** A role that declares one command op per given tag list, named after its label. */
const echo = role("echo", (p: { label: string; tags?: string[] }) => {
  command(`echo ${p.label}`, { name: p.label, tags: p.tags });
});

describe("selectedByTags", () => {
  it("selects every op when no tags are asked for", () => {
    assert.equal(selectedByTags([], {}), true);
    assert.equal(selectedByTags(["web"], { tags: [] }), true);
  });

  it("selects ops carrying one of the -t tags, and not the others", () => {
    assert.equal(selectedByTags(["web", "nginx"], { tags: ["nginx"] }), true);
    assert.equal(selectedByTags(["db"], { tags: ["nginx", "web"] }), false);
    assert.equal(selectedByTags([], { tags: ["web"] }), false);
  });

  it('selects "always" ops whatever -t says', () => {
    assert.equal(selectedByTags(["always"], { tags: ["web"] }), true);
  });

  it("selects everything with -t all, except what is skipped", () => {
    assert.equal(selectedByTags(["db"], { tags: ["all"] }), true);
    assert.equal(selectedByTags(["db"], { tags: ["all"], skipTags: ["db"] }), false);
  });

  it("drops ops carrying a --skip-tags tag, even when -t selects them", () => {
    assert.equal(selectedByTags(["web", "slow"], { skipTags: ["slow"] }), false);
    assert.equal(selectedByTags(["web", "slow"], { tags: ["web"], skipTags: ["slow"] }), false);
    assert.equal(selectedByTags(["web"], { skipTags: ["slow"] }), true);
  });

  it('drops "always" ops only when "always" itself is skipped', () => {
    assert.equal(selectedByTags(["always"], { skipTags: ["web"] }), true);
    assert.equal(selectedByTags(["always"], { tags: ["web"], skipTags: ["always"] }), false);
  });
});

describe("evaluatePlay: tags", () => {
  const tagged = role(
    "tagged",
    () => {
      command("echo one", { name: "one" });
      command("echo two", { name: "two", tags: ["extra"] });
    },
    { tags: ["base"] },
  );

  it("gives every op the role's tags, a role:<name> tag and the play's tags, keeping its own", () => {
    const e = evaluate({ hosts: "web1", roles: [tagged()], tags: ["site"] });
    assert.deepEqual(
      e.ops.map((o) => [o.name, [...o.tags].sort()]),
      [
        ["one", ["base", "role:tagged", "site"]],
        ["two", ["base", "extra", "role:tagged", "site"]],
      ],
    );
  });

  it("selects ops by inherited role tags, own tags and role:<name>", () => {
    const play: Play = { hosts: "web1", roles: [tagged(), echo({ label: "other" })] };
    assert.deepEqual(names(evaluate(play, { tags: ["base"] })), ["one", "two"]);
    assert.deepEqual(names(evaluate(play, { tags: ["extra"] })), ["two"]);
    assert.deepEqual(names(evaluate(play, { tags: ["role:echo"] })), ["other"]);
    assert.deepEqual(names(evaluate(play, { skipTags: ["base"] })), ["other"]);
    assert.deepEqual(names(evaluate(play, { tags: ["base"], skipTags: ["extra"] })), ["one"]);
  });

  it('keeps "always" ops under any -t', () => {
    const play: Play = { hosts: "web1", roles: [echo({ label: "a", tags: ["always"] }), echo({ label: "b", tags: ["web"] })] };
    assert.deepEqual(names(evaluate(play, { tags: ["nothing-matches"] })), ["a"]);
  });
});

describe("evaluatePlay: roles and dependencies", () => {
  it("runs a role's dependencies before it, each (role, params) once per host", () => {
    const calls: string[] = [];
    const base = role("base", () => {
      calls.push("base");
      command("base", { name: "base" });
    });
    const user = role("user", (p: { name: string }) => {
      calls.push(`user:${p.name}`);
      command(`user ${p.name}`, { name: `user ${p.name}` });
    });
    const web = role("web", () => void command("web", { name: "web" }), { deps: [base(), user({ name: "www" })] });
    const app = role("app", () => void command("app", { name: "app" }), {
      deps: () => [base(), user({ name: "www" }), user({ name: "app" })],
    });
    const e = evaluate({ hosts: "web1", roles: [web(), app(), base()] });
    assert.deepEqual(names(e), ["base", "user www", "web", "user app", "app"]);
    assert.deepEqual(calls, ["base", "user:www", "user:app"]);
  });

  it("runs the same role twice with different params, once with equal params", () => {
    const e = evaluate({ hosts: "web1", roles: [echo({ label: "a" }), echo({ label: "b" }), echo({ label: "a" })] });
    assert.deepEqual(names(e), ["a", "b"]);
  });

  it("gives dependency functions the params and the host's context", () => {
    let seen: unknown;
    const dep = role("dep", (p: { port: unknown }) => void command(`listen ${p.port}`, { name: `listen ${p.port}` }));
    const top = role("top", () => {}, {
      deps: (p: { n: number }, ctx) => {
        seen = [p.n, ctx.host];
        return [dep({ port: ctx.vars.port })];
      },
    });
    const e = evaluate({ hosts: "web1", roles: [top({ n: 3 })] });
    assert.deepEqual(seen, [3, "web1"]);
    assert.deepEqual(names(e), ["listen 8080"]);
  });

  it("gives roles the host, its vars, groups and other hosts' vars", () => {
    let got: unknown;
    const r = role("look", (_, ctx: RoleContext) => {
      got = {
        host: ctx.host,
        port: ctx.vars.port,
        web: ctx.groupHosts("web"),
        none: ctx.groupHosts("no-such-group"),
        db: ctx.hostVars("db1").address,
      };
    });
    evaluate({ hosts: "web1", roles: [r()] });
    assert.deepEqual(got, { host: "web1", port: 8080, web: ["web1", "web2"], none: [], db: "10.0.0.5" });
  });

  it("rejects a play whose roles are not role uses", () => {
    const play = { name: "bad", hosts: "web1", roles: [{} as never] } as Play;
    assert.throws(
      () => evaluate(play),
      (e: unknown) => e instanceof RoleError && /play "bad": roles must be role\(\.\.\.\) calls/.test(e.message),
    );
  });
});

describe("evaluatePlay: handlers", () => {
  it("returns the handlers in declaration order, once each however often the role is used", () => {
    const r = role("svc", (p: { n: number }) => {
      file(`/tmp/bosun-eval-${p.n}`, { content: "x", notify: "restart svc" });
      handler("restart svc", () => void command("systemctl restart svc", { name: "restart" }));
      handler("reload svc", () => void command("systemctl reload svc", { name: "reload" }));
    });
    const e = evaluate({ hosts: "web1", roles: [r({ n: 1 }), r({ n: 2 })] });
    assert.deepEqual(names(e), ["/tmp/bosun-eval-1", "/tmp/bosun-eval-2"]);
    assert.deepEqual(
      e.handlers.map((h) => [h.name, names(h)]),
      [
        ["restart svc", ["restart"]],
        ["reload svc", ["reload"]],
      ],
    );
  });

  it("rejects a handler name that another role already declared, naming both roles", () => {
    const a = role("nginx", () => handler("restart", () => void command("systemctl restart nginx", { name: "restart nginx" })));
    const b = role("postgres", () => handler("restart", () => void command("systemctl restart postgresql", { name: "restart pg" })));
    assert.throws(
      () => evaluate({ hosts: "web1", roles: [a(), b()] }),
      (e: unknown) =>
        e instanceof RoleError && /role postgres: handler "restart" is declared twice: by role nginx and by role postgres/.test(e.message),
    );
  });

  it("rejects a notify of an unknown handler, naming the host, the op and where it was declared", () => {
    const r = role("typo", () => {
      file("/tmp/bosun-eval-typo", { content: "x", notify: "restart nginx" }); // NOTIFY-TYPO
      handler("restart ngnix", () => void command("true"));
    });
    assert.throws(
      () => evaluate({ hosts: "web1", roles: [r()] }),
      (e: unknown) =>
        e instanceof RoleError &&
        e.message.includes("web1") &&
        e.message.includes("file /tmp/bosun-eval-typo") &&
        e.message.includes(`${THIS_FILE}:${lineOf("NOTIFY-TYPO")}`) &&
        e.message.includes('unknown handler "restart nginx"'),
    );
  });

  it("rejects a notify of an unknown handler even when tags filter the op out", () => {
    const r = role("typo2", () => {
      file("/tmp/bosun-eval-typo2", { content: "x", notify: "nope", tags: ["config"] });
      command("true", { name: "other", tags: ["other"] });
    });
    assert.throws(() => evaluate({ hosts: "web1", roles: [r()] }, { tags: ["other"] }), /unknown handler "nope"/);
  });
});

describe("evaluatePlay: errors in roles", () => {
  it("returns a var through ctx.var, or its fallback", () => {
    let got: unknown[] = [];
    const r = role("vars", (_, ctx) => {
      const v = (ctx as RoleContext & { var(n: string, f?: unknown): unknown }).var;
      got = [v("port"), v("missing", "dflt")];
    });
    evaluate({ hosts: "web1", roles: [r()] });
    assert.deepEqual(got, [8080, "dflt"]);
  });

  it("throws a RoleError naming the host and the var when ctx.var reads a missing var", () => {
    const r = role("needs", (_, ctx) => {
      (ctx as RoleContext & { var(n: string): unknown }).var("x");
    });
    assert.throws(
      () => evaluate({ hosts: "web1", roles: [r()] }),
      (e: unknown) => e instanceof RoleError && /^web1: missing var "x"/.test(e.message),
    );
  });

  it("throws a RoleError with the user's file:line when a role body throws", () => {
    const r = role("broken", () => {
      throw new Error("kaboom"); // ROLE-THROWS
    });
    assert.throws(
      () => evaluate({ hosts: "web1", roles: [r()] }),
      (e: unknown) =>
        e instanceof RoleError &&
        e.message === `web1: role broken: kaboom (at ${THIS_FILE}:${lineOf("ROLE-THROWS")})` &&
        (e.cause as Error).message === "kaboom",
    );
  });

  it("throws a RoleError naming the role when its dependency function throws", () => {
    const r = role("bad-deps", () => {}, {
      deps: () => {
        throw new Error("no deps today"); // DEPS-THROW
      },
    });
    assert.throws(
      () => evaluate({ hosts: "web1", roles: [r()] }),
      (e: unknown) =>
        e instanceof RoleError && e.message === `web1: role bad-deps: no deps today (at ${THIS_FILE}:${lineOf("DEPS-THROW")})`,
    );
  });

  it("keeps the inner role's name when a dependency's body throws", () => {
    const inner = role("inner", () => {
      throw new Error("inner failed");
    });
    const outer = role("outer", () => {}, { deps: [inner()] });
    assert.throws(() => evaluate({ hosts: "web1", roles: [outer()] }), /^RoleError: web1: role inner: inner failed/);
  });

  it("points at the user's line, not Bosun's, when an op rejects its arguments", () => {
    const r = role("relative", () => {
      file("relative/path", { content: "x" }); // BAD-OP-ARGS
    });
    assert.throws(
      () => evaluate({ hosts: "web1", roles: [r()] }),
      (e: unknown) =>
        e instanceof RoleError &&
        e.message.includes('file: path must be absolute, got "relative/path"') &&
        e.message.includes(`(at ${THIS_FILE}:${lineOf("BAD-OP-ARGS")})`),
    );
  });

  it("records where each op was declared", () => {
    const r = role("where", () => {
      command("true", { name: "located" }); // OP-LOCATION
    });
    const e = evaluate({ hosts: "web1", roles: [r()] });
    assert.equal(e.ops[0]?.location, `${THIS_FILE}:${lineOf("OP-LOCATION")}`);
  });
});

describe("lazyFacts", () => {
  it("throws NeedHostFacts naming the fact read", () => {
    const f = lazyFacts();
    assert.throws(
      () => f.os,
      (e: unknown) => e instanceof NeedHostFacts && e.message === "os",
    );
  });

  it("can be awaited and serialised without counting as a read", async () => {
    const f = lazyFacts();
    assert.equal((f as unknown as { then?: unknown }).then, undefined);
    assert.equal(await Promise.resolve(f), f);
    assert.equal(JSON.stringify({ f }), '{"f":{}}');
  });

  it("makes evaluatePlay throw NeedHostFacts (not a RoleError) when a role reads a fact", () => {
    const r = role("facts", (_, ctx) => void command(`echo ${ctx.facts.distribution.codename}`));
    assert.throws(
      () => evaluate({ hosts: "web1", roles: [r()] }, {}, lazyFacts()),
      (e: unknown) => e instanceof NeedHostFacts && !(e instanceof RoleError),
    );
  });

  it("costs nothing for roles that never read facts", () => {
    const e = evaluate({ hosts: "web1", roles: [echo({ label: "plain" })] }, {}, lazyFacts());
    assert.deepEqual(names(e), ["plain"]);
  });

  it("lets a dependency function read facts too, asking for them the same way", () => {
    const top = role("top-facts", () => {}, { deps: (_p, ctx) => [echo({ label: ctx.facts.os })] });
    assert.throws(() => evaluate({ hosts: "web1", roles: [top()] }, {}, lazyFacts()), NeedHostFacts);
    assert.deepEqual(names(evaluate({ hosts: "web1", roles: [top()] })), ["Linux"]);
  });
});
