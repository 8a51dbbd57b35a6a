// Bosun dashboard: plain JS over the JSON API. Live updates come as Server-Sent Events, read with
// fetch() so the bearer token travels in a header, never in a URL.

const $ = (sel) => document.querySelector(sel);
let token = localStorage.getItem("bosun-token") || "";
let current = null; // the run shown in detail
let currentStream = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
}

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    $("#login").hidden = false;
    throw new Error("sign in with an API token");
  }
  const data = await res.json();
  if (!res.ok) throw Object.assign(new Error(data.error || res.statusText), { fields: data.fields });
  return data;
}

/** Reads an SSE response body: calls on(event, data) for every frame until the stream ends. */
async function stream(path, on, signal) {
  const headers = { accept: "text/event-stream" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers, signal });
  if (!res.ok || !res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = "message";
      let data = "";
      for (const line of frame.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) on(event, JSON.parse(data));
    }
  }
}

const short = (sha) => (sha ? sha.slice(0, 10) : "");
const fill = (sel, rows) => $(`${sel} tbody`).replaceChildren(...rows);
const statusCell = (s) => el("td", { class: `status ${s}`, "data-status": s }, s);
const say = (msg) => {
  const n = el("div", { class: "notice" }, msg);
  document.body.append(n);
  setTimeout(() => n.remove(), 5000);
};
const act = (fn) => async () => {
  try {
    await fn();
  } catch (e) {
    say(e.message);
  }
};

async function refresh() {
  const [envs, runs, approvals, drift, hosts] = await Promise.all([
    api("GET", "/api/envs"),
    api("GET", "/api/runs?limit=50"),
    api("GET", "/api/approvals"),
    api("GET", "/api/drift"),
    api("GET", "/api/hosts"),
  ]);
  fill(
    "#envs",
    envs.map((e) =>
      el(
        "tr",
        { "data-env": e.name },
        el("td", {}, e.name),
        el("td", {}, e.policy),
        el("td", {}, e.site),
        el("td", { class: "mono" }, short(e.applied)),
        el(
          "td",
          {},
          el("button", { class: "plan", onclick: act(() => startAndShow(`/api/envs/${e.name}/plan`)) }, "Plan"),
          el("button", { class: "drift", onclick: act(() => startAndShow(`/api/envs/${e.name}/drift`)) }, "Check drift"),
        ),
      ),
    ),
  );
  fill(
    "#approvals",
    approvals.map((r) =>
      el(
        "tr",
        { "data-run": r.id },
        el("td", {}, el("a", { href: `#run-${r.id}` }, `#${r.id}`)),
        el("td", {}, r.env),
        el("td", {}, el("span", { class: "mono" }, short(r.commit.sha)), ` ${r.commit.message}`),
        el("td", {}, r.changes),
        el("td", {}, el("button", { class: "approve", onclick: act(() => approve(r.id)) }, "Approve")),
      ),
    ),
  );
  fill(
    "#runs",
    runs.map((r) =>
      el(
        "tr",
        { "data-run": r.id, class: current === r.id ? "selected" : "" },
        el("td", {}, el("a", { href: `#run-${r.id}` }, `#${r.id}`)),
        el("td", {}, r.env),
        el("td", {}, r.stage ? `${r.kind} ${r.stage}` : r.kind),
        el("td", { title: r.commit.author }, el("span", { class: "mono" }, short(r.commit.sha)), ` ${r.commit.message}`),
        statusCell(r.status),
        el("td", {}, r.by),
        el("td", {}, r.changes ?? ""),
      ),
    ),
  );
  fill(
    "#drift",
    drift.map((d) =>
      el(
        "tr",
        { "data-host": d.host },
        el("td", {}, d.env),
        el("td", {}, d.host),
        el("td", {}, d.ops.join(", ")),
        el("td", { class: "mono" }, short(d.commit)),
        el("td", {}, d.checkedAt),
      ),
    ),
  );
  const stageRows = pipeline ? await api("GET", "/api/pipeline/versions") : { status: [], history: [] };
  fill("#versions", [
    ...hosts.map((h) =>
      el(
        "tr",
        { "data-host": h.host, "data-stage": "site" },
        el("td", {}, h.env),
        el("td", {}, "site"),
        el("td", {}, h.host),
        el("td", { class: "mono" }, short(h.commit)),
        el("td", {}, h.last ? `#${h.last.run} ${h.last.kind} ${h.last.status}` : ""),
      ),
    ),
    ...stageRows.status.map((v) =>
      el(
        "tr",
        { "data-host": v.host, "data-stage": v.stage, "data-env": v.env },
        el("td", {}, v.env),
        el("td", {}, v.stage),
        el("td", {}, v.host),
        el("td", { class: "version" }, v.version),
        el("td", {}, `${v.result} ${v.at} by ${v.by}`),
      ),
    ),
  ]);
  fill(
    "#stage-history",
    stageRows.history
      .slice(-30)
      .reverse()
      .map((r) =>
        el(
          "tr",
          { "data-stage": r.stage, "data-env": r.env },
          el("td", {}, r.at),
          el("td", {}, r.env),
          el("td", {}, r.stage),
          el("td", {}, r.kind),
          el("td", {}, r.version),
          statusCell(r.result),
          el("td", {}, `${r.by} via ${r.via}`),
        ),
      ),
  );
}

let pipeline = null; // the pipeline's description (stages and typed inputs), when the server has one

/** Returns the form field of one typed input: text (string, pattern, semver, hosts), number, checkbox, select. */
function inputField(stage, i) {
  const id = `in-${stage}-${i.name}`;
  let field;
  if (i.kind === "boolean") field = el("input", { id, name: i.name, type: "checkbox", "data-kind": i.kind });
  else if (i.kind === "choice")
    field = el("select", { id, name: i.name, "data-kind": i.kind }, ...i.options.map((o) => el("option", { value: o }, o)));
  else field = el("input", { id, name: i.name, type: i.kind === "number" ? "number" : "text", "data-kind": i.kind, placeholder: i.kind });
  if (i.default !== undefined) {
    if (i.kind === "boolean") field.checked = Boolean(i.default);
    else field.value = String(i.default);
  }
  return el(
    "div",
    { class: "field" },
    el("label", { for: id }, `${i.name}${i.required ? " *" : ""}`),
    field,
    el("span", { class: "hint" }, i.description || i.kind),
    el("span", { class: "field-error", "data-field": i.name }),
  );
}

/** Returns the values of a stage form: checkboxes as booleans, empty text left out (the default applies). */
function formValues(form) {
  const inputs = {};
  for (const f of form.querySelectorAll("[data-kind]")) {
    if (f.dataset.kind === "boolean") inputs[f.name] = f.checked;
    else if (f.value !== "") inputs[f.name] = f.value;
  }
  return inputs;
}

function showFieldErrors(form, e) {
  for (const span of form.querySelectorAll(".field-error")) {
    const msg = e.fields?.[span.dataset.field] || "";
    span.textContent = msg;
    span.previousElementSibling?.previousElementSibling?.setAttribute("aria-invalid", msg ? "true" : "false");
  }
  const general = form.querySelector(".form-error");
  general.textContent = e.fields && Object.keys(e.fields).length ? "" : e.message;
}

function stageForm(s) {
  const form = el("form", { class: "stage", "data-stage": s.id });
  const env = () => $("#pipeline-env").value;
  const submit = (action, body) => async (ev) => {
    ev?.preventDefault();
    showFieldErrors(form, { fields: {} });
    try {
      const run = await api("POST", `/api/pipeline/envs/${env()}/stages/${s.id}/${action}`, body());
      say(`${s.id} ${action} queued as run #${run.id}`);
      location.hash = `run-${run.id}`;
    } catch (e) {
      showFieldErrors(form, e);
    }
  };
  const confirm = () => form.querySelector("input[name=confirm]").checked;
  form.addEventListener(
    "submit",
    submit("run", () => ({ inputs: formValues(form), confirm: confirm() })),
  );
  form.append(
    el("h3", {}, `${s.id} `, el("small", {}, `${s.kind}${s.description ? ` — ${s.description}` : ""}`)),
    ...s.inputs.map((i) => inputField(s.id, i)),
    el(
      "div",
      { class: "field confirm" },
      el("label", {}, el("input", { type: "checkbox", name: "confirm" }), " confirm (this environment requires it)"),
      el("span", { class: "field-error", "data-field": "confirm" }),
    ),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "run" }, "Run stage"),
      s.kind === "site"
        ? el("button", { type: "button", class: "rollback", onclick: submit("rollback", () => ({ confirm: confirm() })) }, "Roll back")
        : "",
      el("span", { class: "form-error" }),
    ),
  );
  return form;
}

/** Draws the pipeline's stage forms once (a refresh never wipes what the user typed). */
async function loadPipeline() {
  try {
    pipeline = await api("GET", "/api/pipeline");
  } catch {
    return; // no pipeline configured: the section stays hidden
  }
  $("#pipeline-section").hidden = false;
  $("#pipeline-title").textContent = `Pipeline ${pipeline.name}`;
  $("#pipeline-commit").textContent = `at ${short(pipeline.commit.sha)} "${pipeline.commit.message}"`;
  const envSelect = $("#pipeline-env");
  envSelect.replaceChildren(
    ...pipeline.environments.map((e) => el("option", { value: e.name, "data-confirm": String(e.confirm) }, e.name)),
  );
  const showConfirm = () => {
    const needs = envSelect.selectedOptions[0]?.dataset.confirm === "true";
    for (const c of document.querySelectorAll("#stages .confirm")) c.hidden = !needs;
  };
  envSelect.addEventListener("change", showConfirm);
  $("#stages").replaceChildren(...pipeline.stages.map(stageForm));
  showConfirm();
}

async function startAndShow(path) {
  const run = await api("POST", path, {});
  location.hash = `run-${run.id}`;
}

async function approve(id) {
  const run = await api("POST", `/api/runs/${id}/approve`, {});
  say(`approved: apply queued as run #${run.id}`);
  location.hash = `run-${run.id}`;
}

async function rollbackTo(env, commit) {
  if (!window.confirm(`Apply ${short(commit.sha)} "${commit.message}" to ${env} again (rollback)?`)) return;
  const run = await api("POST", `/api/envs/${env}/rollback`, { commit: commit.sha });
  say(`rollback of ${env} to ${short(commit.sha)} queued as run #${run.id}`);
  location.hash = `run-${run.id}`;
}

/** Shows one run: its recorded events, then live ones, until it ends. */
async function showRun(id) {
  current = id;
  if (currentStream) currentStream.abort();
  currentStream = new AbortController();
  $("#run-section").hidden = false;
  $("#events").replaceChildren();
  $("#diffs").replaceChildren();
  $("#progress").textContent = "";
  fill("#recap", []);
  const hosts = {};
  const renderRun = (r) => {
    $("#run-title").textContent = `Run #${r.id}: ${r.kind}${r.stage ? ` ${r.stage}` : ""} ${r.env}`;
    $("#run-meta").replaceChildren(
      el("span", { class: `status ${r.status}`, id: "run-status", "data-status": r.status }, r.status),
      ` commit ${short(r.commit.sha)} "${r.commit.message}" by ${r.commit.author}; asked by ${r.by}`,
      r.approval ? ` · approval: ${r.approval}${r.approvedBy ? ` by ${r.approvedBy}` : ""}` : "",
      // A commit that was applied can be applied again: the environment's rollback (recorded as kind rollback).
      (r.kind === "apply" || r.kind === "rollback") && r.status === "succeeded"
        ? el("button", { class: "rollback-commit", onclick: act(() => rollbackTo(r.env, r.commit)) }, "Roll back to this commit")
        : "",
      r.error ? el("pre", { class: "error" }, r.error) : "",
    );
    if (r.hosts) {
      fill(
        "#recap",
        Object.entries(r.hosts).map(([h, c]) =>
          el(
            "tr",
            { "data-host": h },
            el("td", {}, h),
            statusCell(c.status),
            el("td", {}, c.ok),
            el("td", {}, c.changed),
            el("td", {}, c.failed),
            el("td", {}, c.skipped),
          ),
        ),
      );
    }
  };
  const onEvent = (e) => {
    const text = describe(e);
    if (text) $("#events").append(el("li", { "data-type": e.type }, text));
    if (e.type === "host_started") hosts[e.host] = `${e.phase}…`;
    if (e.type === "host_finished") hosts[e.host] = e.status;
    if (e.type === "op_planned" && e.changed && e.diff) {
      $("#diffs").append(
        el("details", { open: "" }, el("summary", {}, `${e.host}: ${e.op} — ${e.summary}`), el("pre", { class: "diff" }, e.diff)),
      );
    }
    $("#progress").textContent = Object.entries(hosts)
      .map(([h, s]) => `${h}: ${s}`)
      .join("  ·  ");
  };
  await stream(`/api/runs/${id}/stream`, (type, data) => (type === "event" ? onEvent(data) : renderRun(data)), currentStream.signal).catch(
    () => {},
  );
}

function describe(e) {
  switch (e.type) {
    case "run_started":
      return `started ${e.mode} of ${e.deployment}`;
    case "play_started":
      return `play ${e.play} on ${e.hosts.join(", ")}`;
    case "host_started":
      return `${e.host}: ${e.phase}`;
    case "op_planned":
      return e.changed ? `${e.host}: will change ${e.op} (${e.summary})` : null;
    case "op_changed":
      return `${e.host}: changed ${e.op}`;
    case "op_failed":
      return `${e.host}: FAILED ${e.op}: ${e.error}`;
    case "host_finished":
      return `${e.host}: ${e.status}`;
    case "interrupted":
      return "interrupted";
    case "recap":
      return `recap: exit code ${e.exit_code} in ${(e.duration_ms / 1000).toFixed(1)} s`;
    case "stage_started":
      return `stage ${e.stage} → ${e.env} ${e.version}${e.hosts.length ? ` on ${e.hosts.join(", ")}` : ""}`;
    case "batch_started":
      return `${e.batch} batch (${e.version}): ${e.hosts.join(", ")}`;
    case "check_result":
      return `${e.ok ? "✓" : "✗"} ${e.phase} ${e.host} ${e.check}${e.error ? `: ${e.error}` : ""}`;
    case "canary_rolled_back":
      return `canary rolled back: ${Object.entries(e.to)
        .map(([h, v]) => `${h} → ${v}`)
        .join(", ")}`;
    case "tool_output":
      return `${e.stage} ${e.step} (exit ${e.exit_code}): ${e.output.slice(-400)}`;
    case "stage_finished":
      return `stage ${e.stage} in ${e.env}: ${e.result}${e.note ? ` (${e.note})` : ""}`;
    case "stage_waiting":
      return `waiting: ${e.holder}`;
    default:
      return null;
  }
}

function route() {
  const m = /^#run-(\d+)$/.exec(location.hash);
  if (m) showRun(Number(m[1]));
}

async function main() {
  $("#login").addEventListener("submit", (ev) => {
    ev.preventDefault();
    token = $("#token").value.trim();
    localStorage.setItem("bosun-token", token);
    location.reload();
  });
  $("#reconcile").addEventListener(
    "click",
    act(() => api("POST", "/api/reconcile", {})),
  );
  window.addEventListener("hashchange", route);
  try {
    const me = await api("GET", "/api/whoami");
    $("#who").textContent = `${me.name} (${me.scope})`;
    await loadPipeline();
    await refresh();
  } catch (e) {
    say(e.message);
    return;
  }
  route();
  // Any run change refreshes the lists; reconnect if the stream drops.
  for (;;) {
    await stream("/api/stream", () => refresh().catch(() => {})).catch(() => {});
    await new Promise((r) => setTimeout(r, 2000));
    await refresh().catch(() => {});
  }
}

main();
