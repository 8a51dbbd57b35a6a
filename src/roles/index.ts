/** The standard role library: `import { common, nginx, postgres, service, … } from "bosun/roles"`. Written only with the public API. */
export * from "./bosun-server.js";
export * from "./common/index.js";
export * from "./docker-service/index.js";
export * from "./grafana/index.js";
export * from "./nginx/index.js";
export * from "./node-exporter.js";
export * from "./postgres/index.js";
export * from "./prometheus/index.js";
export * from "./rsyslog/index.js";
export * from "./service/index.js";
export * from "./ufw.js";
