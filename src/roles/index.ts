/** The standard role library: `import { service, postgres, dockerService } from "bosun/roles"`. Written only with the public API. */

export * from "./docker-service/index.js";
export * from "./postgres/index.js";
export * from "./service/index.js";
