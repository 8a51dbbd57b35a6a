import { deploy } from "bosun";
import { webapp } from "../roles/webapp.js";

export default deploy("6-app", [{ name: "webapp", hosts: "web", roles: [webapp({ version: "1.0.0" })] }]);
