import { deploy } from "bosun";
import { client } from "../roles/client.js";

export default deploy("7-client", [
  { name: "app clients", hosts: "all", roles: [client({ version: "1.0.0", appUrl: "http://127.0.0.1:9200" })] },
]);
