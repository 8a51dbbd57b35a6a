import { createTwoFilesPatch } from "diff";

/** Shown instead of a removed line of a file whose desired content holds a secret. */
export const MASKED_LINE = "*** (old line hidden: the file holds a secret)";

/**
 * Returns a unified diff between two texts, labelled with path; binary content is summarised.
 * With secret: `after` is already masked, and every removed line is hidden too: the host's old
 * content may hold a previous value of the secret (a rotated password), which no registry knows.
 */
export function contentDiff(path: string, before: Buffer | undefined, after: Buffer, opts: { secret?: boolean } = {}): string {
  const diff = plainDiff(path, before, after);
  if (!opts.secret) return diff;
  const lines = diff.split("\n");
  const body = lines.findIndex((l) => l.startsWith("@@"));
  if (body < 0) return diff;
  return lines.map((l, i) => (i > body && l.startsWith("-") ? `-${MASKED_LINE}` : l)).join("\n");
}

function plainDiff(path: string, before: Buffer | undefined, after: Buffer): string {
  if (isBinary(after) || (before && isBinary(before))) {
    return `--- ${path}\n+++ ${path}\nbinary content: ${before?.length ?? 0} → ${after.length} bytes\n`;
  }
  return createTwoFilesPatch(
    before ? path : "/dev/null",
    path,
    before ? before.toString("utf8") : "",
    after.toString("utf8"),
    undefined,
    undefined,
    {
      context: 3,
    },
  ).replace(/^(Index: .*\n)?=+\n/, "");
}

function isBinary(b: Buffer): boolean {
  return b.subarray(0, 8000).includes(0);
}
