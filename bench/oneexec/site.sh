#!/bin/sh
# The practical limit for examples/site.ts: the same end state written by hand, run as ONE exec per
# host (`ssh HOST sh -s NAME GROUP ENVIRONMENT < site.sh`; ENVIRONMENT is the inventory's
# `environment`, shown in the motd). One apt-get for every package of the host, then the files,
# users, services and kernel settings in the order the site declares them (so uids and gids come
# out the same). Not idempotent on purpose: it runs once, on a fresh host, like a first apply.
# bench/check.ts proves its end state equal to Bosun's (docs/bench.md, "One-exec script").
set -eu
HOST=$1
GROUP=$2
ENVIRONMENT=${3:-production}
umask 022
export DEBIAN_FRONTEND=noninteractive

put() { # put PATH MODE OWNER:GROUP < content
  cat >"$1.tmp"
  chmod "$2" "$1.tmp"
  chown "$3" "$1.tmp"
  mv -f "$1.tmp" "$1"
}

# Packages: one apt-get for the whole host (common's, app's and nginx's).
pkgs="zsh curl ca-certificates"
[ "$GROUP" = web ] && pkgs="$pkgs python3 nginx"
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $pkgs >/dev/null

# common
ln -sfn /usr/share/zoneinfo/UTC /etc/localtime
echo UTC | put /etc/timezone 0644 root:root
groupadd -r ops
printf '%%ops ALL=(ALL:ALL) NOPASSWD: ALL\n' >/etc/sudoers.d/.ops.tmp
visudo -cqf /etc/sudoers.d/.ops.tmp
chmod 0440 /etc/sudoers.d/.ops.tmp
mv -f /etc/sudoers.d/.ops.tmp /etc/sudoers.d/ops
user_with_key() { # NAME GROUPS KEY
  useradd -m -s /usr/bin/zsh ${2:+-G "$2"} -c "$1 (bosun)" "$1"
  install -d -m 0700 -o "$1" -g "$1" "/home/$1/.ssh"
  echo "$3" | put "/home/$1/.ssh/authorized_keys" 0600 "$1:$1"
}
user_with_key alice ops "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfT/uLXF78jH/gYi6pJxkETa6HscbBjWadRwbHAkqHb alice@example.com"
user_with_key bob "" "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC6TbosAiYWiYj4FK2dyTjcTdZb9E97rZmeUOsPIKxwl bob@example.com"
put /etc/motd 0644 root:root <<MOTD

  $HOST — $ENVIRONMENT
  Managed by Bosun (example). Changes made by hand will be reverted.
  Contact: ops@example.com

MOTD
put /etc/ssh/sshd_config.d/10-bosun-hardening.conf 0644 root:root <<'SSHD'
# Managed by bosun
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PermitEmptyPasswords no
X11Forwarding no
MaxAuthTries 3
ClientAliveInterval 300
SSHD
for kv in net.core.somaxconn=1024 net.ipv4.tcp_syncookies=1; do
  k=${kv%%=*} v=${kv#*=}
  printf '# Managed by Bosun\n%s = %s\n' "$k" "$v" | put "/etc/sysctl.d/99-bosun-$k.conf" 0644 root:root
  sysctl -q -w "$k=$v"
done
install -d -m 0755 /srv/data
install -d -m 0750 /srv/data/example
install -d -m 0700 /srv/backup
/usr/sbin/sshd -t
systemctl reload ssh

[ "$GROUP" = web ] || exit 0

# app
R=/srv/app/releases/1.0.0
useradd -r -d /srv/app -M -s /usr/sbin/nologin -c "example app" app
install -d -m 0755 /srv/app/releases
install -d -m 0750 -o app -g app /srv/data/app
install -d -m 0755 "$R" "$R/public"
printf '<h1>app 1.0.0</h1>\n<p>served by %s</p>\n' "$HOST" | put "$R/public/index.html" 0644 root:root
echo ok | put "$R/public/health" 0644 root:root
echo 1.0.0 | put "$R/public/version" 0644 root:root
ln -sfn "$R" /srv/app/current
printf 'APP_PORT=9100\nAPP_VERSION=1.0.0\n' | put /srv/app/app.env 0640 root:app
put /etc/systemd/system/app.service 0644 root:root <<'UNIT'
[Unit]
Description=example app (bosun)
After=network.target

[Service]
EnvironmentFile=/srv/app/app.env
ExecStart=/usr/bin/python3 -m http.server ${APP_PORT} --bind 127.0.0.1 --directory /srv/app/current/public
Restart=on-failure
User=app
Group=app
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=/srv/data/app

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable -q --now app
put /etc/cron.d/app-prune-releases 0644 root:root <<'CRON'
# Managed by Bosun: cron job app-prune-releases
17 3 * * * root cd /srv/app/releases && ls -1t | tail -n +4 | grep -vx "$(basename "$(readlink -f /srv/app/current)")" | xargs -r rm -rf
CRON
for i in $(seq 1 50); do curl -fsS http://127.0.0.1:9100/health >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS http://127.0.0.1:9100/health >/dev/null

# nginx
rm -f /etc/nginx/sites-enabled/default
put /etc/nginx/sites-available/app 0644 root:root <<'SITE'
# Managed by bosun: site app
server {
    listen 80;
    server_name _;

    location / {
        proxy_pass http://127.0.0.1:9100;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
}
SITE
ln -sfn /etc/nginx/sites-available/app /etc/nginx/sites-enabled/app
nginx -t -q
systemctl reload nginx
