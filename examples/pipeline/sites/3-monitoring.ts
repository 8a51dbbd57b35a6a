import { deploy } from "bosun";
import { monitoring } from "../roles/monitoring.js";

export default deploy("3-monitoring", [
  { name: "node exporters", hosts: "web", roles: [monitoring({ targets: "all", server: false })] },
  { name: "prometheus", hosts: "db", roles: [monitoring({ targets: "all", server: true })] },
]);
