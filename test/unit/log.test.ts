import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { formatLine, logger, parseLogSpec, setLogFilter, setLogSink } from "../../src/log.js";

const T = new Date("2026-11-23T09:00:00.000Z");

describe("parseLogSpec", () => {
  it("returns the fallback level and no module levels for an empty spec", () => {
    assert.deepEqual(parseLogSpec(undefined), { defaultLevel: "warn", modules: new Map() });
    assert.deepEqual(parseLogSpec("", "info"), { defaultLevel: "info", modules: new Map() });
  });

  it("reads a bare level as the default level, in any case", () => {
    assert.equal(parseLogSpec("debug").defaultLevel, "debug");
    assert.equal(parseLogSpec("INFO").defaultLevel, "info");
  });

  it("reads module=level pairs alongside a default level", () => {
    const f = parseLogSpec("ssh=debug,info,lab=Error");
    assert.equal(f.defaultLevel, "info");
    assert.deepEqual(
      [...f.modules],
      [
        ["ssh", "debug"],
        ["lab", "error"],
      ],
    );
  });

  it("keeps the fallback default when only module levels are given", () => {
    assert.equal(parseLogSpec("ssh=debug", "error").defaultLevel, "error");
  });

  it("ignores empty parts and spaces around parts", () => {
    const f = parseLogSpec(" , ssh=info , ,debug ");
    assert.equal(f.defaultLevel, "debug");
    assert.equal(f.modules.get("ssh"), "info");
  });

  it("rejects an unknown level, naming it, the spec and the valid levels", () => {
    assert.throws(() => parseLogSpec("verbose"), {
      message: 'BOSUN_LOG: unknown level "verbose" in "verbose" (expected one of error, warn, info, debug)',
    });
  });

  it("rejects an unknown level given to a module", () => {
    assert.throws(() => parseLogSpec("info,ssh=loud"), /unknown level "loud" in "info,ssh=loud"/);
  });

  it("rejects a module with an empty level", () => {
    assert.throws(() => parseLogSpec("ssh="), /unknown level ""/);
  });
});

describe("formatLine", () => {
  it("writes time, upper-case level, message and key=value fields in order", () => {
    assert.equal(
      formatLine(T, "info", "connected", { host: "web1", attempt: 2, ok: true }),
      "2026-11-23T09:00:00.000Z INFO connected host=web1 attempt=2 ok=true",
    );
  });

  it("writes only time, level and message when there are no fields", () => {
    assert.equal(formatLine(T, "error", "boom", {}), "2026-11-23T09:00:00.000Z ERROR boom");
  });

  it("quotes values with spaces", () => {
    assert.equal(
      formatLine(T, "warn", "m", { error: "connection refused by peer" }),
      '2026-11-23T09:00:00.000Z WARN m error="connection refused by peer"',
    );
  });

  it("quotes and escapes values containing quotes or =", () => {
    assert.equal(
      formatLine(T, "debug", "m", { cmd: 'echo "hi"', kv: "a=b" }),
      `2026-11-23T09:00:00.000Z DEBUG m cmd="echo \\"hi\\"" kv="a=b"`,
    );
  });

  it("quotes an empty string so the field stays visible", () => {
    assert.equal(formatLine(T, "info", "m", { user: "" }), '2026-11-23T09:00:00.000Z INFO m user=""');
  });

  it("keeps a multi-line value on one line", () => {
    const line = formatLine(T, "info", "m", { stderr: "line one\nline two" });
    assert.equal(line.includes("\n"), false);
    assert.ok(line.endsWith(' stderr="line one\\nline two"'), line);
  });

  it("skips undefined fields but writes null", () => {
    assert.equal(formatLine(T, "info", "m", { a: undefined, b: null }), "2026-11-23T09:00:00.000Z INFO m b=null");
  });

  it("writes an Error as its message", () => {
    assert.equal(formatLine(T, "error", "m", { error: new Error("no route") }), '2026-11-23T09:00:00.000Z ERROR m error="no route"');
  });

  it("writes objects and arrays as JSON", () => {
    assert.equal(formatLine(T, "info", "m", { hosts: ["a", "b"] }), `2026-11-23T09:00:00.000Z INFO m hosts="[\\"a\\",\\"b\\"]"`);
    assert.equal(formatLine(T, "info", "m", { n: [1, 2] }), "2026-11-23T09:00:00.000Z INFO m n=[1,2]");
  });
});

describe("logger", () => {
  let lines: string[] = [];
  let prevSink: (line: string) => void;

  beforeEach(() => {
    lines = [];
    prevSink = setLogSink((l) => lines.push(l));
  });

  afterEach(() => {
    setLogSink(prevSink);
    setLogFilter(parseLogSpec(process.env.BOSUN_LOG));
  });

  it("emits lines at or above the default level and drops the others", () => {
    setLogFilter(parseLogSpec("warn"));
    const log = logger("run");
    log.error("e");
    log.warn("w");
    log.info("i");
    log.debug("d");
    assert.deepEqual(
      lines.map((l) => l.split(" ").slice(1, 3).join(" ")),
      ["ERROR e", "WARN w"],
    );
  });

  it("adds module=NAME before the caller's fields", () => {
    setLogFilter(parseLogSpec("info"));
    logger("ssh").info("connected", { host: "web1" });
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO connected module=ssh host=web1$/);
  });

  it("lets a module level override the default level for that module only", () => {
    setLogFilter(parseLogSpec("ssh=debug,error"));
    logger("ssh").debug("ssh detail");
    logger("run").debug("run detail");
    logger("run").warn("run warning");
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, / DEBUG ssh detail module=ssh$/);
  });

  it("lets a module level be quieter than the default level", () => {
    setLogFilter(parseLogSpec("debug,lab=error"));
    logger("lab").warn("hidden");
    logger("facts").info("shown");
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, / INFO shown module=facts$/);
  });

  it("applies a filter set after the logger was created", () => {
    const log = logger("late");
    setLogFilter(parseLogSpec("error"));
    log.info("dropped");
    setLogFilter(parseLogSpec("info"));
    log.info("kept");
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, / INFO kept /);
  });

  it("reports which levels are enabled", () => {
    setLogFilter(parseLogSpec("info,ssh=debug"));
    assert.equal(logger("x").enabled("info"), true);
    assert.equal(logger("x").enabled("debug"), false);
    assert.equal(logger("ssh").enabled("debug"), true);
  });

  it("returns the previous sink from setLogSink", () => {
    const mine = (_l: string) => {};
    const capture = setLogSink(mine);
    assert.equal(setLogSink(capture), mine);
  });
});
