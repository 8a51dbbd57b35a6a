import { deploy } from "bosun";
import { database } from "../roles/database.js";

export default deploy("4-database", [{ name: "postgresql", hosts: "db", roles: [database({ maxConnections: 100 })] }]);
