/** The operations a role declares. One file each; see docs/operations.md. */
export { absent } from "./absent.js";
export { type AptOptions, apt } from "./apt.js";
export { type CommandOptions, command } from "./command.js";
export { type Content, type SensitiveContent, sensitive } from "./content.js";
export { type CopyOptions, copy } from "./copy.js";
export { type DirectoryOptions, directory } from "./directory.js";
export { type FileOptions, file } from "./file.js";
export { type LinkOptions, link } from "./link.js";
export { type ServiceOptions, service } from "./service.js";
export { systemdUnit, type UnitOptions } from "./systemd-unit.js";
export { renderTemplate, type TemplateOptions, template } from "./template.js";
export { type LineInFileOptions, lineInFile } from "./line-in-file.js";
export { type BlockInFileOptions, blockInFile } from "./block-in-file.js";
export { type SysctlOptions, sysctl } from "./sysctl.js";
export { timezone } from "./timezone.js";
export { type HostnameOptions, hostname } from "./hostname.js";
export { type CronOptions, cron } from "./cron.js";
export { type SudoersOptions, sudoers } from "./sudoers.js";
