import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import ssh2 from "ssh2";
import { skipHostKeysNotice } from "../../../src/transport/ssh2-connect.js";

describe("skipHostKeysNotice", () => {
  it("finds ssh2's global-request handler where this ssh2 version keeps it, once connect() has set up the protocol", () => {
    const client = new ssh2.Client();
    client.on("error", () => {});
    // A socket that never answers: connect() only builds the protocol around it here.
    client.connect({ sock: new PassThrough() as never, username: "x", readyTimeout: 60_000 });
    const handlers = (client as unknown as { _protocol: { _handlers: Record<string, unknown> } })._protocol._handlers;
    const before = handlers.GLOBAL_REQUEST;
    assert.equal(typeof before, "function");
    skipHostKeysNotice(client);
    assert.notEqual(handlers.GLOBAL_REQUEST, before);
    client.end();
  });

  it("drops the hostkeys notice and passes every other global request (or one asking a reply) to ssh2", () => {
    const seen: [string, boolean][] = [];
    const client = {
      _protocol: { _handlers: { GLOBAL_REQUEST: (_p: unknown, name: string, wantReply: boolean) => seen.push([name, wantReply]) } },
    };
    skipHostKeysNotice(client);
    const h = client._protocol._handlers.GLOBAL_REQUEST;
    h(undefined, "hostkeys-00@openssh.com", false);
    h(undefined, "keepalive@openssh.com", true);
    h(undefined, "hostkeys-00@openssh.com", true);
    assert.deepEqual(seen, [
      ["keepalive@openssh.com", true],
      ["hostkeys-00@openssh.com", true],
    ]);
  });

  it("leaves a client without the expected internals alone", () => {
    const client = { _protocol: {} };
    skipHostKeysNotice(client);
    assert.deepEqual(client, { _protocol: {} });
  });
});
