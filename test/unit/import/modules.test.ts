import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { cleanUp, convertRole, ids, planFresh } from "./convert-kit.js";

after(cleanUp);

/** Returns the converted ops of one task (and the role code), asserting it converted without TODO. */
async function one(task: Record<string, unknown>, extra: Parameters<typeof convertRole>[0] = { tasks: [] }) {
  const c = await convertRole({ ...extra, tasks: [task, ...extra.tasks] });
  const todo = [...c.result.tally.values()].reduce((n, e) => n + e.todo, 0);
  assert.equal(todo, 0, c.result.report);
  return c;
}

const diffOf = (c: Awaited<ReturnType<typeof one>>, i = 0) => planFresh(c.ops[i] as never).diff ?? "";

describe("module converters: the converted code declares the same operations", () => {
  it("apt/package: names, state latest/absent, the cache validity window; update_cache alone is left to bosun", async () => {
    const c = await one({ apt: { name: ["curl", "jq"], update_cache: true, cache_valid_time: 600 } });
    assert.deepEqual(ids(c.ops), ["apt curl jq"]);
    const latest = await one({ package: "name=nginx state=latest" });
    assert.deepEqual(ids(latest.ops), ["apt nginx"]);
    assert.match(planFresh(latest.ops[0] as never).summary, /latest|install/);
    const absent = await one({ "ansible.builtin.apt": { name: "exim4", state: "absent" } });
    assert.deepEqual(ids(absent.ops), ["apt exim4"]);
  });

  it("copy: content (with a variable) and src become a file with the same bytes, mode and owner", async () => {
    const c = await one(
      { copy: { content: "port={{ port }}\n", dest: "/etc/app.conf", mode: "0640", owner: "root", group: "adm" } },
      {
        tasks: [{ copy: { src: "hello.sh", dest: "/usr/local/bin/hello", mode: "0755" } }],
        defaults: { port: 81 },
        files: { "files/hello.sh": "echo hi\n" },
      },
    );
    assert.deepEqual(ids(c.ops), ["file /etc/app.conf", "copy /usr/local/bin/hello"]);
    assert.match(diffOf(c, 0), /\+port=81/);
    assert.match(planFresh(c.ops[0] as never).summary, /0640/);
    assert.match(diffOf(c, 1), /\+echo hi/);
  });

  it("copy with validate: content becomes a validatedFile (checked before it goes live); src keeps a marked TODO comment", async () => {
    const c = await one(
      { copy: { content: "x ALL=(ALL) ALL\n", dest: "/etc/sudoers.d/x", validate: "visudo -cf %s" } },
      {
        tasks: [{ copy: { src: "hello.sh", dest: "/usr/local/bin/hello", validate: "sh -n %s" } }],
        files: { "files/hello.sh": "echo hi\n" },
      },
    );
    assert.deepEqual(ids(c.ops), ["file /etc/sudoers.d/x", "copy /usr/local/bin/hello"]);
    assert.match(c.code, /validatedFile\("\/etc\/sudoers\.d\/x", \{[^}]*validate: "visudo -cf %s"/);
    assert.match(c.code, /TODO\(import\): validate "sh -n %s"/);
  });

  it("template: a .j2 file rendered with role defaults, host vars and facts", async () => {
    const c = await one(
      { template: { src: "app.j2", dest: "/etc/app.ini", mode: "0644" } },
      {
        tasks: [],
        defaults: { port: 80 },
        files: { "templates/app.j2": "port={{ port }} host={{ inventory_hostname }} os={{ ansible_facts.os_family }}\n" },
      },
    );
    assert.deepEqual(ids(c.ops), ["template /etc/app.ini"]);
    assert.match(diffOf(c), /\+port=80 host=web1 os=Debian/);
  });

  it("file: directory, link, absent with mode and owner", async () => {
    const c = await one(
      { file: { path: "/srv/app", state: "directory", mode: "0750", owner: "root" } },
      { tasks: [{ file: { src: "/srv/app", dest: "/opt/app", state: "link" } }, { file: { path: "/tmp/x", state: "absent" } }] },
    );
    assert.deepEqual(ids(c.ops), ["directory /srv/app", "link /opt/app", "absent /tmp/x"]);
    assert.match(planFresh(c.ops[0] as never).summary, /0750/);
    assert.match(planFresh(c.ops[1] as never).summary, /\/srv\/app/);
  });

  it("file state touch: a touch op with mode and owner; times now (a change each run, as Ansible) unless both are preserve", async () => {
    const c = await one(
      { name: "stamp", file: { path: "/var/stamp", state: "touch", mode: "0640", owner: "root" } },
      { tasks: [{ file: { path: "/var/kept", state: "touch", modification_time: "preserve", access_time: "preserve" } }] },
    );
    assert.deepEqual(ids(c.ops), ["touch /var/stamp", "touch /var/kept"]);
    assert.match(planFresh(c.ops[0] as never).summary, /create empty file \(mode 0640\)/);
    const existing = { get: () => ({ type: "file", mode: "0640", owner: "root", group: "root" }) } as never;
    assert.equal(c.ops[0]?.plan(existing).changed, true, "times set to now: changed on every run");
    assert.equal(c.ops[1]?.plan(existing).changed, false, "both times preserved: no change");
    const stamped = await convertRole({ tasks: [{ file: { path: "/x", state: "touch", modification_time: "202401011200.00" } }] });
    assert.equal(stamped.result.tally.get("file")?.todo, 1, "an explicit timestamp stays a TODO");
  });

  it("lineinfile and blockinfile edit with Ansible's markers", async () => {
    const c = await one(
      { lineinfile: { path: "/etc/x.conf", regexp: "^a=", line: "a=1", create: true } },
      { tasks: [{ blockinfile: { path: "/etc/y.conf", block: "b=2\n", create: true } }] },
    );
    assert.deepEqual(
      ids(c.ops).map((i) => i.split(" ")[1]),
      ["/etc/x.conf", "/etc/y.conf"],
    );
    assert.match(diffOf(c, 0), /\+a=1/);
    assert.match(diffOf(c, 1), /\+# BEGIN ANSIBLE MANAGED BLOCK\n\+b=2\n\+# END ANSIBLE MANAGED BLOCK/);
  });

  it("user and group: attributes carried, groups exactly as listed (Ansible's append: no)", async () => {
    const c = await one(
      { group: { name: "ops", system: true } },
      { tasks: [{ user: { name: "alice", groups: "ops,adm", shell: "/bin/bash", comment: "Alice" } }] },
    );
    assert.deepEqual(ids(c.ops), ["group ops", "user alice"]);
    assert.match(planFresh(c.ops[1] as never).summary, /groups \+ops \+adm, shell \/bin\/bash/);
    assert.match(c.code, /append: false/);
  });

  it("authorized_key: the user's keys", async () => {
    const c = await one({
      authorized_key: { user: "alice", key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@x" },
    });
    assert.deepEqual(ids(c.ops), ["authorized_keys alice"]);
  });

  it("service/systemd: state and enabled; a notify reaches a handler converted the same way", async () => {
    const c = await one(
      { systemd: { name: "nginx", state: "started", enabled: true, daemon_reload: true } },
      {
        tasks: [{ copy: { content: "x\n", dest: "/etc/nginx/x" }, notify: "reload nginx" }],
        handlers: [{ name: "reload nginx", service: { name: "nginx", state: "reloaded" } }],
      },
    );
    assert.deepEqual(ids(c.ops), ["service nginx.service", "file /etc/nginx/x"]);
    assert.deepEqual(c.ops[1]?.notify, ["reload nginx"]);
    assert.deepEqual(c.handlers, { "reload nginx": ["service nginx.service"] });
  });

  it("cron with cron_file: the same job line in /etc/cron.d", async () => {
    const c = await one({
      cron: { name: "backup", minute: "5", hour: "2", job: "/usr/local/bin/backup", cron_file: "backup", user: "root" },
    });
    assert.deepEqual(ids(c.ops), ["cron backup"]);
    assert.match(diffOf(c), /\+5 2 \* \* \* root \/usr\/local\/bin\/backup/);
  });

  it("sysctl: the key and value", async () => {
    const c = await one({ sysctl: { name: "net.core.somaxconn", value: "1024" } });
    assert.deepEqual(ids(c.ops), ["sysctl net.core.somaxconn"]);
  });

  it("command/shell with creates/removes/chdir; changed_when: false is a read-only command; other changed_when and failed_when stay TODO", async () => {
    const c = await one({ shell: "make install creates=/usr/local/bin/app chdir=/src" });
    assert.equal(c.ops[0]?.kind, "command");
    assert.match(c.code, /command\("make install", \{ creates: "\/usr\/local\/bin\/app", cwd: "\/src"/);
    const ro = await one({ command: "systemctl is-system-running", changed_when: false });
    assert.equal(planFresh(ro.ops[0] as never).changed, false);
    assert.equal(ro.ops[0]?.check, true, "it runs on every apply, as in Ansible");
    const t = await convertRole({
      tasks: [
        { command: "true", changed_when: "'x' in r.stdout" },
        { command: "true", failed_when: false },
      ],
    });
    assert.equal(t.result.tally.get("command")?.todo, 2);
  });

  it("get_url with a sha256 checksum, unarchive and git", async () => {
    const sum = "a".repeat(64);
    const c = await one(
      { get_url: { url: "http://mirror.example/x.tgz", dest: "/opt/x.tgz", checksum: `sha256:${sum}` } },
      {
        tasks: [
          { unarchive: { src: "x.tar.gz", dest: "/opt/x" } },
          { git: { repo: "http://mirror.example/r.git", dest: "/opt/r", version: "v1" } },
        ],
        files: { "files/x.tar.gz": "" },
      },
    );
    assert.deepEqual(
      ids(c.ops).map((i) => i.split(" ")[0]),
      ["download", "unarchive", "git"],
    );
  });

  it("timezone and hostname", async () => {
    const c = await one({ timezone: { name: "Europe/Paris" } }, { tasks: [{ hostname: { name: "web1" } }] });
    assert.deepEqual(
      ids(c.ops).map((i) => i.split(" ")[0]),
      ["timezone", "hostname"],
    );
  });

  it("uri: an httpCheck with the until conditions as status and body texts, retries and delay", async () => {
    const c = await one({
      uri: { url: "http://127.0.0.1:8080/health", return_content: true, status_code: [200, 204], timeout: 5 },
      register: "r",
      until: ["r.status == 200", "'ok' in r.content"],
      retries: 10,
      delay: 2,
    });
    assert.deepEqual(ids(c.ops), ["http_check GET http://127.0.0.1:8080/health"]);
    assert.equal(c.ops[0]?.check, true);
    const plan = planFresh(c.ops[0] as never);
    assert.equal(plan.changed, false);
    assert.match(plan.summary, /→ 200, body with "ok" \(10 retries, 2s apart\)/);
    const post = await one({ uri: { url: "http://x/api", method: "POST", body: { a: 1 }, body_format: "json", status_code: 201 } });
    assert.match(planFresh(post.ops[0] as never).summary, /POST http:\/\/x\/api → 201$/);
    assert.match(post.code, /"Content-Type": "application\/json"/);
  });

  it("uri with an until it cannot express stays a TODO with its YAML", async () => {
    const c = await convertRole({ tasks: [{ uri: { url: "http://x/" }, register: "r", until: "r.json.ready", retries: 3 }] });
    assert.equal(c.result.tally.get("uri")?.todo, 1);
    assert.match(c.code, /TODO\(import\): uri: until "r.json.ready"/);
  });

  it("cron without cron_file: a job and a variable in the user's crontab, with Ansible's marker lines", async () => {
    const c = await one(
      { cron: { name: "backup", user: "alice", minute: "5", hour: "2", job: "/usr/local/bin/backup" } },
      {
        tasks: [
          { cron: { name: "reboot note", special_time: "reboot", job: "logger up", disabled: true } },
          { cron: { name: "MAILTO", env: true, job: "ops@example.com", user: "alice" } },
          { cron: { name: "old", user: "alice", state: "absent" } },
        ],
      },
    );
    assert.deepEqual(ids(c.ops), ["crontab alice: backup", "crontab root: reboot note", "crontab_env alice: MAILTO", "crontab alice: old"]);
    const empty = { get: () => ({ state: "ok", text: "" }) } as never;
    assert.match(c.ops[0]?.plan(empty).diff ?? "", /\+#Ansible: backup\n\+5 2 \* \* \* \/usr\/local\/bin\/backup/);
    assert.match(c.ops[1]?.plan(empty).diff ?? "", /\+#@reboot logger up/);
    assert.match(c.ops[2]?.plan(empty).diff ?? "", /\+MAILTO="ops@example.com"/);
    assert.equal(c.ops[3]?.plan(empty).changed, false);
  });

  it("meta: flush_handlers, set_fact and debug", async () => {
    const c = await one(
      { set_fact: { greeting: "hi {{ inventory_hostname }}" } },
      { tasks: [{ debug: { msg: "x" } }, { meta: "flush_handlers" }, { copy: { content: "{{ greeting }}\n", dest: "/etc/greeting" } }] },
    );
    assert.equal(c.ops[0]?.kind, "flush_handlers");
    assert.match(diffOf(c, 1), /\+hi web1/);
  });

  it("when, loop/with_items, tags and register: per-item conditions, tags on each op, a later use of a result is a TODO", async () => {
    const c = await convertRole({
      defaults: { sites: ["a", "b", "c"] },
      tasks: [
        { file: { path: "/srv/{{ item }}", state: "directory" }, loop: "{{ sites }}", when: "item != 'b'", tags: ["web"] },
        { file: { path: "/srv/{{ x }}", state: "directory" }, with_items: ["d"], loop_control: { loop_var: "x" } },
        { file: { path: "/srv/never", state: "directory" }, when: "ansible_facts['os_family'] == 'RedHat'" },
        { command: "date", register: "out" },
        { copy: { content: "x", dest: "/x" }, when: "out.changed" },
      ],
    });
    assert.deepEqual(ids(c.ops), ["directory /srv/a", "directory /srv/c", "directory /srv/d", "command date"]);
    assert.deepEqual(
      c.ops[0]?.tags.filter((t) => !t.startsWith("role:")),
      ["web"],
    );
    assert.equal(c.result.tally.get("copy")?.todo, 1);
  });
});

describe("play conversions", () => {
  it("include_tasks/import_tasks are inlined at their place, under their when and with their tags", async () => {
    const c = await convertRole({
      tasks: [
        { include_tasks: "more.yml", tags: ["extra"] },
        { import_tasks: "other.yml", when: "false" },
      ],
      files: {
        "tasks/more.yml": "- file: {path: /srv/more, state: directory}\n",
        "tasks/other.yml": "- file: {path: /srv/other, state: directory}\n",
      },
    });
    assert.deepEqual(ids(c.ops), ["directory /srv/more"]);
    assert.ok(c.ops[0]?.tags.includes("extra"));
    assert.equal(c.result.tally.get("import_tasks")?.converted, 1);
  });

  it("vars_files become play vars; a role's tags and when in the play's roles list apply to all its operations", async () => {
    const tasks = [{ file: { path: "/srv/{{ app_name }}", state: "directory" } }];
    const c = await convertRole({
      tasks,
      play: { vars_files: ["vars/app.yml"] },
      entry: { tags: ["app"], when: "region == 'eu'" },
      extra: { "vars/app.yml": "app_name: shop\n" },
    });
    assert.deepEqual(ids(c.ops), ["directory /srv/shop"]);
    assert.ok(c.ops[0]?.tags.includes("app"));
    const off = await convertRole({ tasks, play: { vars: { app_name: "x" } }, entry: { when: "region == 'us'" } });
    assert.deepEqual(ids(off.ops), []);
  });
});
