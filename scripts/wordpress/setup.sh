#!/usr/bin/env bash
# A real WordPress on loopback for the tests: MariaDB (own datadir, socket only), Apache + mod_php on two
# 127.0.0.1 ports (one open, one behind HTTP Basic auth), Debian's WordPress and a seeded site.
# Idempotent: a second run finds everything running and only prints where it is.
# Usage: scripts/wordpress/setup.sh [--stop]   (exit 4: the packages are missing and cannot be installed here)
# Writes $QA_WP_DIR/site.json (URLs, credentials, what was created); QA_WP_DIR defaults to /tmp/qa-wordpress.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="${QA_WP_DIR:-/tmp/qa-wordpress}"
config_name="qa-wordpress-test"  # /etc/wordpress/config-<name>.php, chosen by the vhosts' WORDPRESS_CONFIG
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

stop() {
  local f pid n
  for f in apache.pid mariadb.pid; do
    [ -f "$state/$f" ] || continue
    pid="$(cat "$state/$f")"
    kill "$pid" 2>/dev/null || true
    n=100; while kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
    rm -f "$state/$f"
  done
}
if [ "${1:-}" = "--stop" ]; then stop; exit 0; fi

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # wait_for SECONDS COMMAND...
  local n=$(( $1 * 5 )); shift
  until "$@" >/dev/null 2>&1; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.2; done
}

# 1. packages (only those missing)
want=(wordpress mariadb-server apache2 libapache2-mod-php php-mysql php-cli php-gd php-xml curl)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null || { [ -n "$sudo" ] && ! command -v sudo >/dev/null; }; then
    echo "wordpress-setup: missing ${missing[*]} and no apt-get/sudo to install them" >&2
    exit 4  # the tests skip on this code: the stack is missing, not broken
  fi
  echo "wordpress-setup: installing ${missing[*]}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

mkdir -p "$state"/{db,run,logs,wp-content/themes,wp-content/mu-plugins,wp-content/uploads}
chmod 755 "$state"
secret() { [ -s "$state/$1" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$state/$1"); cat "$state/$1"; }
db_password="$(secret db.secret)"
basic_password="$(secret basic.secret)"
admin_password="$(secret admin.secret)"
basic_user="staging"

# 2. MariaDB on a socket only
sock="$state/run/mysqld.sock"
if ! alive "$state/mariadb.pid"; then
  if [ ! -d "$state/db/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$state/db" --user="$(id -un)" --auth-root-authentication-method=socket \
      --skip-test-db >"$state/logs/mariadb-install.log" 2>&1
  fi
  mariadbd --no-defaults --datadir="$state/db" --socket="$sock" --pid-file="$state/mariadb.pid" --skip-networking \
    --user="$(id -un)" --log-error="$state/logs/mariadb.log" --innodb-buffer-pool-size=32M \
    --performance-schema=OFF >/dev/null 2>&1 &
  wait_for 60 mariadb --no-defaults --socket="$sock" -uroot -e 'SELECT 1' \
    || { echo "wordpress-setup: MariaDB did not start; see $state/logs/mariadb.log" >&2; exit 1; }
fi
mariadb --no-defaults --socket="$sock" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS 'wordpress'@'localhost' IDENTIFIED BY '$db_password';
GRANT ALL ON wordpress.* TO 'wordpress'@'localhost';
SQL

# 3. WordPress: Debian's wp-config.php reads /etc/wordpress/config-<name>.php; content lives in $state
cp -r "$here/theme/." "$state/wp-content/themes/qa-civic/"
cp "$here/mu-plugin.php" "$state/wp-content/mu-plugins/qa-test-site.php"
$sudo tee "/etc/wordpress/config-$config_name.php" >/dev/null <<PHP
<?php
// Written by scripts/wordpress/setup.sh for the qa-suite tests.
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', '$db_password');
define('DB_HOST', 'localhost:$sock');
define('WP_CONTENT_DIR', '$state/wp-content');
// One install answers on both ports (open and Basic-auth): its URLs follow the host asked for.
\$qa_host = isset(\$_SERVER['HTTP_HOST']) ? \$_SERVER['HTTP_HOST'] : '127.0.0.1';
define('WP_HOME', 'http://' . \$qa_host);
define('WP_SITEURL', 'http://' . \$qa_host);
define('WP_CONTENT_URL', 'http://' . \$qa_host . '/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');  // application passwords over plain http on loopback
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
PHP
$sudo chmod 644 "/etc/wordpress/config-$config_name.php"

# 4. Apache + PHP on two loopback ports
if alive "$state/apache.pid" && [ -f "$state/ports" ]; then
  read -r open_port protected_port <"$state/ports"
else
  open_port="$(free_port)"; protected_port="$(free_port)"
  echo "$open_port $protected_port" >"$state/ports"
  htpasswd -cbB "$state/htpasswd" "$basic_user" "$basic_password" >/dev/null 2>&1
  chmod 644 "$state/htpasswd"
  mods=/usr/lib/apache2/modules
  cat >"$state/httpd.conf" <<CONF
ServerRoot /etc/apache2
ServerName 127.0.0.1
PidFile $state/apache.pid
DefaultRuntimeDir $state/run
Mutex file:$state/run default
ErrorLog $state/logs/apache-error.log
LogFormat "%h %u \"%r\" %>s %b" short
CustomLog $state/logs/apache-access.log short
User www-data
Group www-data
LoadModule mpm_prefork_module $mods/mod_mpm_prefork.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authn_file_module $mods/mod_authn_file.so
LoadModule auth_basic_module $mods/mod_auth_basic.so
LoadModule mime_module $mods/mod_mime.so
LoadModule dir_module $mods/mod_dir.so
LoadModule alias_module $mods/mod_alias.so
LoadModule env_module $mods/mod_env.so
LoadModule rewrite_module $mods/mod_rewrite.so
LoadModule php_module $mods/libphp8.2.so
StartServers 2
MinSpareServers 2
MaxSpareServers 6
MaxRequestWorkers 12
TypesConfig /etc/mime.types
DirectoryIndex index.php index.html
<FilesMatch ".+\.php\$">
  SetHandler application/x-httpd-php
</FilesMatch>
Listen 127.0.0.1:$open_port
Listen 127.0.0.1:$protected_port
DocumentRoot /usr/share/wordpress
Alias /wp-content $state/wp-content
SetEnv WORDPRESS_CONFIG $config_name
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory /usr/share/wordpress>
  Require all granted
  RewriteEngine On
  RewriteBase /
  RewriteRule ^index\.php\$ - [L]
  RewriteCond %{REQUEST_FILENAME} !-f
  RewriteCond %{REQUEST_FILENAME} !-d
  RewriteRule . /index.php [L]
</Directory>
<Directory $state/wp-content>
  Require all granted
</Directory>
<VirtualHost 127.0.0.1:$protected_port>
  <Location />
    AuthType Basic
    AuthName "Staging"
    AuthUserFile $state/htpasswd
    Require valid-user
  </Location>
</VirtualHost>
CONF
  alive "$state/apache.pid" && kill "$(cat "$state/apache.pid")" && sleep 1
  /usr/sbin/apache2 -f "$state/httpd.conf" -k start
fi
open="http://127.0.0.1:$open_port"
wait_for 30 curl -fsS -o /dev/null "$open/wp-login.php" || true

# 5. the site (once; the seed script is itself idempotent)
if [ ! -s "$state/seed.json" ]; then
  QA_WP_HOST="127.0.0.1:$open_port" QA_WP_ADMIN_PASSWORD="$admin_password" QA_WP_DIR="$state" \
    bash -c 'php "$1/seed.php" install && php "$1/seed.php" content' _ "$here" >"$state/seed.json.tmp" 2>"$state/logs/seed.log" \
    || { echo "wordpress-setup: seeding failed; see $state/logs/seed.log" >&2; exit 1; }
  mv "$state/seed.json.tmp" "$state/seed.json"
fi
chown -R www-data:www-data "$state/wp-content/uploads" 2>/dev/null || true

python3 - "$state" "$open_port" "$protected_port" "$basic_user" "$basic_password" "$admin_password" <<'PY'
import json, sys
state, op, pp, bu, bp, ap = sys.argv[1:]
seed = json.load(open(f"{state}/seed.json"))
site = {"open_url": f"http://127.0.0.1:{op}/", "protected_url": f"http://127.0.0.1:{pp}/",
        "basic_user": bu, "basic_password": bp, "admin_user": "qa-admin", "admin_password": ap, **seed}
with open(f"{state}/site.json", "w") as f:
    json.dump(site, f, indent=1)
PY
chmod 600 "$state/site.json"
curl -fsS -o /dev/null "$open/" || { echo "wordpress-setup: $open/ does not answer; see $state/logs" >&2; exit 1; }
echo "wordpress-setup: open $open/  protected http://127.0.0.1:$protected_port/  details $state/site.json" >&2
