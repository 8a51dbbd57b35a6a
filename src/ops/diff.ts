import { createTwoFilesPatch } from "diff";

/** Returns a unified diff between two texts, labelled with path; binary content is summarised. */
export function contentDiff(path: string, before: Buffer | undefined, after: Buffer): string {
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
