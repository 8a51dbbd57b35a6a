/** The operations a role declares. One file each; see docs/operations.md. */
export { absent } from "./absent.js";
export { type AptOptions, apt } from "./apt.js";
export { type CommandOptions, command } from "./command.js";
export type { Content, SensitiveContent } from "./content.js";
export { type CopyOptions, copy } from "./copy.js";
export { type DirectoryOptions, directory } from "./directory.js";
export { type FileOptions, file } from "./file.js";
export { type LinkOptions, link } from "./link.js";
export { type ServiceOptions, service } from "./service.js";
export { systemdUnit, type UnitOptions } from "./systemd-unit.js";
export { renderTemplate, type TemplateOptions, template } from "./template.js";
