import { deploy } from "bosun";
import { nginx } from "../../roles/nginx.js";

export default deploy("5-services", [
  { name: "reverse proxy", hosts: "web", roles: [nginx({ sites: [{ name: "webapp", upstream: "127.0.0.1:9200" }] })] },
]);
