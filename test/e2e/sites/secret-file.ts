// Writes a big file holding a secret (E2E_SECRET), mode 0640, for the temp-file exposure test.
import { deploy, directory, file, role } from "bosun";

const secret = process.env.E2E_SECRET ?? "none";
const r = role("secret-file", () => {
  directory("/srv/e2e-sec", { mode: "0755" });
  file("/srv/e2e-sec/app.env", { content: `TOKEN=${secret}\n`.repeat(100_000), mode: "0640" });
});

export default deploy("secret-file", [{ hosts: "all", roles: [r()] }]);
