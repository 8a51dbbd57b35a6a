export * from "./bosun-server.js";
export * from "./common/index.js";
export * from "./grafana/index.js";
export * from "./nginx/index.js";
export * from "./node-exporter.js";
export * from "./prometheus/index.js";
export * from "./rsyslog/index.js";
export * from "./ufw.js";
