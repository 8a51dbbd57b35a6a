export * from "./bosun-server.js";
