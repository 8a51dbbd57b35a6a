import { deploy } from "bosun";
import { firewall } from "../roles/firewall.js";

export default deploy("2-firewall", [
  { name: "web firewall", hosts: "web", roles: [firewall({ allow: [80, 9100, 9200] })] },
  { name: "db firewall", hosts: "db", roles: [firewall({ allow: [5432, 9090, 9100] })] },
]);
