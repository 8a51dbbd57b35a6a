// Writes a vaulted secret (db_password) into files on a host, for the no-leak e2e test.
import { command, deploy, directory, file, role, sensitive, template } from "bosun";

const r = role("secrets", (_p: undefined, ctx) => {
  const pw = ctx.var("db_password");
  directory("/srv/e2e-secret", { mode: "0700" });
  file("/srv/e2e-secret/app.conf", { content: sensitive`user=app\npassword=${pw}\n`, mode: "0600" });
  template("/srv/e2e-secret/from-template.conf", { src: new URL("secret.tpl", import.meta.url).pathname, vars: { pw }, mode: "0600" });
  // While this script runs, record every command line on the host: the secret must be on none.
  command("ps -eo args > /srv/e2e-secret/ps.txt", { name: "snapshot ps", env: { DB_PASSWORD: pw } });
  if (process.env.SECRET_FAIL) {
    command(`echo "oops: $DB_PASSWORD" >&2; exit 5`, { name: "fails echoing the secret", env: { DB_PASSWORD: pw } });
  }
});

export default deploy("secrets", [{ hosts: "all", roles: [r()] }]);
