/** Content that must not be shown: it renders masked everywhere but in the bytes sent to the host. */
export interface SensitiveContent {
  readonly sensitive: true;
  /** The real content, used only to build what is sent to the host. */
  reveal(): string | Uint8Array;
}

/** File content an operation writes. */
export type Content = string | Uint8Array | SensitiveContent;

export function isSensitive(c: unknown): c is SensitiveContent {
  return typeof c === "object" && c !== null && (c as SensitiveContent).sensitive === true;
}

/** Returns the bytes to put on the host. */
export function contentBytes(c: Content): Buffer {
  const v = isSensitive(c) ? c.reveal() : c;
  return typeof v === "string" ? Buffer.from(v, "utf8") : Buffer.from(v);
}
