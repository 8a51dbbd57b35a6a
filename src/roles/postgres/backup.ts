/** The nightly pg_dump: a script, a oneshot unit and its timer. Pure renderers. */

export interface BackupSpec {
  /** Databases dumped (custom format, one file each per run). */
  databases: string[];
  dir: string;
  keepDays: number;
}

/** Returns the backup script: dumps each database to DIR/NAME-STAMP.dump (written as .part, renamed when complete), then prunes. */
export function renderBackupScript(b: BackupSpec): string {
  return `#!/bin/sh
# Managed by bosun (role postgres): pg_dump of each database, kept ${b.keepDays} days.
set -eu
dir='${b.dir}'
umask 077
mkdir -p "$dir"
chown postgres:postgres "$dir"
chmod 0700 "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
for db in ${b.databases.map((d) => `'${d}'`).join(" ")}; do
  runuser -u postgres -- pg_dump --format=custom --file="$dir/$db-$stamp.dump.part" "$db"
  mv "$dir/$db-$stamp.dump.part" "$dir/$db-$stamp.dump"
  echo "dumped $db to $dir/$db-$stamp.dump"
done
find "$dir" -name '*.dump' -mtime +${b.keepDays} -print -delete
`;
}

/** Returns the oneshot unit that runs the script. */
export function renderBackupService(script: string): string {
  return `# Managed by bosun (role postgres)
[Unit]
Description=PostgreSQL backups (pg_dump)
After=postgresql.service
Requires=postgresql.service

[Service]
Type=oneshot
ExecStart=${script}
`;
}

/** Returns the timer that starts the backup unit on schedule (Persistent: a missed run happens at boot). */
export function renderBackupTimer(schedule: string): string {
  return `# Managed by bosun (role postgres)
[Unit]
Description=Nightly PostgreSQL backups

[Timer]
OnCalendar=${schedule}
Persistent=true
RandomizedDelaySec=300

[Install]
WantedBy=timers.target
`;
}
