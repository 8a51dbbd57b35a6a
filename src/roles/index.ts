/** The standard role library: `import { service, postgres, dockerService } from "bosun/roles"`. Written only with the public API. */
export * from "./service/index.js";
