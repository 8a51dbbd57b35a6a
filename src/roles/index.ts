export * from "./common/index.js";
export * from "./nginx/index.js";
