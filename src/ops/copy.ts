import { readFileSync } from "node:fs";
import path from "node:path";
import { declareOp } from "../core/collector.js";
import type { CommonOptions, Operation } from "../core/operation.js";
import type { Attrs } from "./attrs.js";
import { fileOp } from "./file.js";

export interface CopyOptions extends CommonOptions, Attrs {
  /** File on the control machine (relative to the current directory). */
  src: string;
}

/** Ensures dest on the host has the bytes of a file on the control machine. */
export function copy(dest: string, o: CopyOptions): Operation {
  const src = path.resolve(o.src);
  let content: Buffer;
  try {
    content = readFileSync(src);
  } catch {
    throw new Error(`copy ${dest}: source file not found on the control machine: ${src}`);
  }
  return declareOp(fileOp(dest, { ...o, content }, "copy"));
}
