/** Server-Sent Events: a hijacked response that writes `event:`/`data:` frames until closed. */
import type { FastifyReply } from "fastify";

export class SseStream {
  private closed = false;
  private readonly onClose: (() => void)[] = [];

  constructor(private readonly reply: FastifyReply) {
    reply.hijack();
    reply.raw.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    reply.raw.write(": connected\n\n");
    reply.raw.on("close", () => this.end());
  }

  send(event: string, data: unknown): void {
    if (!this.closed) this.reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Runs fn when the stream ends (client gone or server stopping). */
  whenClosed(fn: () => void): void {
    if (this.closed) fn();
    else this.onClose.push(fn);
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.onClose.splice(0)) fn();
    this.reply.raw.end();
  }
}
