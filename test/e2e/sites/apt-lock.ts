// Installs one package with fresh lists: apt-get update meets whatever holds apt's lock.
import { apt, deploy, role } from "bosun";

export default deploy("apt-lock", [{ hosts: "all", roles: [role("jq", () => void apt(["jq"], { cacheValidTime: 0 }))()] }]);
