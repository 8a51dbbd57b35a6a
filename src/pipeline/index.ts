/** What pipeline files import from "bosun": pipeline(), stage(), input, check. */
export { type Check, type CheckContext, check } from "./checks.js";
export {
  type Canary,
  type Environment,
  type Pipeline,
  pipeline,
  type SiteStage,
  type Stage,
  stage,
  type TestStage,
  type ToolStage,
} from "./define.js";
export { type InputDef, type InputValues, input } from "./inputs.js";
