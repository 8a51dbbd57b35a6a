import { BosunError } from "../errors.js";

/**
 * A vault could not be read or written: wrong password or key, damaged or modified data
 * ("integrity check failed"), an unknown format. Messages name the file or value and never
 * contain a plaintext or a password.
 */
export class VaultError extends BosunError {}
