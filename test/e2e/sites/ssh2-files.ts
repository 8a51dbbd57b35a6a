// A two-play site for comparing transports: E2E_DIR picks where it writes, so runs over OpenSSH and
// over ssh2 each do a first apply of their own, then a no-op.
import { deploy, directory, file, role } from "bosun";

const dir = process.env.E2E_DIR ?? "/srv/e2e-ssh2";
const files = role("files", () => {
  directory(dir);
  file(`${dir}/a.conf`, { content: "a\n" });
  file(`${dir}/b.conf`, { content: "b\n", mode: "0600" });
});
const more = role("more", () => void file(`${dir}/c.conf`, { content: "c\n" }));

export default deploy("ssh2-files", [
  { name: "files", hosts: "all", roles: [files()] },
  { name: "more", hosts: "all", roles: [more()] },
]);
