#!/usr/bin/env bash
# Checks an installed switchboard package as an operator would meet it, then
# purges it and installs it again. Run by scripts/fresh-check.sh inside a fresh
# Debian 12 root where `apt-get install ./switchboard_*.deb` has just run (plus
# openssl, systemd and man-db, the tools used here), in a private network
# namespace, as root:
#   check-installed.sh /root/switchboard_<version>_amd64.deb
set -euo pipefail
deb=$1
fail() { echo "check-installed: FAILED: $*" >&2; exit 1; }
ok() { echo "check-installed: ok: $*"; }
conf=/etc/switchboard/switchboard.yaml
unit=/lib/systemd/system/switchboard.service

# ---- the files, the user, the secrets --------------------------------------
for f in /usr/bin/switchboard $conf /usr/share/switchboard/www/index.html $unit \
         /usr/lib/sysusers.d/switchboard.conf /usr/share/man/man8/switchboard.8.gz; do
  [ -e "$f" ] || fail "$f is missing"
done
ok "files in place"
dpkg-query -W -f='${Conffiles}\n' switchboard | grep -q " $conf " || fail "$conf is not a conffile"
ok "$conf is a conffile"
depends=$(dpkg-query -W -f='${Depends}' switchboard)
grep -q "libssl3" <<<"$depends" || fail "Depends lacks libssl3 (shlibdeps): $depends"
ok "Depends: $depends"
getent passwd switchboard | grep -q ":/usr/sbin/nologin$" || fail "no switchboard system user"
ok "user: $(getent passwd switchboard)"
for s in /etc/switchboard/jwt.secret /etc/switchboard/turn.secret; do
  [ "$(stat -c '%a %U:%G' "$s")" = "640 root:switchboard" ] || fail "$s: $(stat -c '%a %U:%G' "$s")"
  [ "$(wc -c < "$s")" -ge 33 ] || fail "$s is too short"
done
ok "secrets generated, 0640 root:switchboard"
for p in /proc/[0-9]*; do
  [ "$(cat "$p/comm" 2>/dev/null)" = switchboard ] && fail "the package started an unconfigured server"
done
ok "nothing started"
/usr/bin/switchboard version

# ---- check-config on the shipped file names what to edit ------------------
set +e
out=$(/usr/bin/switchboard check-config --config $conf 2>&1)
code=$?
set -e
echo "$out"
[ $code = 2 ] || fail "check-config on the shipped config exited $code, expected 2"
for key in "public_host: replace CHANGE-ME" "signaling.allowed_origins\[0\]: replace CHANGE-ME" \
           "signaling.allowed_origins\[1\]: replace CHANGE-ME"; do
  grep -q "$key" <<<"$out" || fail "check-config does not name '$key'"
done
ok "check-config names every placeholder"

# ---- filled in, the unit's ExecStart serves /healthz ------------------------
sed -i 's/CHANGE-ME/localhost/g' $conf
set +e
out=$(/usr/bin/switchboard check-config --config $conf 2>&1)
code=$?
set -e
[ $code = 2 ] && grep -q "signaling.tls: cannot load TLS certificate /etc/switchboard/tls/fullchain.pem" <<<"$out" \
  || fail "check-config without a certificate: exit $code: $out"
ok "check-config names the missing certificate: $out"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout /etc/switchboard/tls/privkey.pem -out /etc/switchboard/tls/fullchain.pem 2>/dev/null
chown root:switchboard /etc/switchboard/tls/privkey.pem
chmod 0640 /etc/switchboard/tls/privkey.pem
/usr/bin/switchboard check-config --config $conf >/dev/null || fail "check-config on the filled-in config"
ok "check-config passes on the filled-in config"

exec_start=$(sed -n 's/^ExecStart=//p' $unit)
user=$(sed -n 's/^User=//p' $unit)
[ -n "$exec_start" ] && [ "$user" = switchboard ] || fail "unit: ExecStart='$exec_start' User='$user'"
# As the unit runs it: the service user, with CAP_NET_BIND_SERVICE for 443.
setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=+net_bind_service \
  --ambient-caps=+net_bind_service $exec_start > /tmp/server.log 2>&1 &
pid=$!
answered=""
for _ in $(seq 100); do
  answered=$(printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' \
    | timeout 5 openssl s_client -connect 127.0.0.1:443 -servername localhost -quiet 2>/dev/null | head -n 1 | tr -d '\r') || true
  [ -n "$answered" ] && break
  kill -0 $pid 2>/dev/null || { cat /tmp/server.log; fail "the server exited"; }
  sleep 0.1
done
[ "$answered" = "HTTP/1.1 200 OK" ] || { cat /tmp/server.log; fail "GET https://127.0.0.1:443/healthz: '$answered'"; }
ok "ExecStart as $user serves https://127.0.0.1:443/healthz: $answered"
exec 3<>/dev/tcp/127.0.0.1/9469
printf 'GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
grep -q "^switchboard_" <&3 || fail "no metrics on 127.0.0.1:9469"
exec 3<&-
ok "metrics on 127.0.0.1:9469"
kill -TERM $pid
code=0
wait $pid || code=$?
[ $code = 0 ] || { cat /tmp/server.log; fail "exit $code after SIGTERM"; }
ok "SIGTERM: exit 0"

# ---- the unit ----------------------------------------------------------------
systemd-analyze verify $unit || fail "systemd-analyze verify $unit"
ok "systemd-analyze verify"
systemd-analyze security --offline=true --no-pager $unit | tail -n 1

# ---- purge, and again with systemd present (the systemd-sysusers path) -----
apt-get purge -y -qq switchboard >/dev/null 2>&1
for f in /usr/bin/switchboard $conf /etc/switchboard/jwt.secret /etc/switchboard/turn.secret; do
  [ ! -e "$f" ] || fail "purge left $f"
done
# The operator's certificate and key are theirs: purge leaves them.
[ -e /etc/switchboard/tls/privkey.pem ] || fail "purge removed the operator's key"
ok "purged: configuration and generated secrets gone, the operator's certificate kept"
userdel switchboard
dpkg -i "$deb" >/dev/null
getent passwd switchboard >/dev/null || fail "no user after reinstalling with systemd-sysusers present"
[ "$(stat -c '%a %U:%G' /etc/switchboard/turn.secret)" = "640 root:switchboard" ] || fail "secrets after reinstall"
ok "reinstalled with systemd present: user $(getent passwd switchboard | cut -d: -f1,3,7)"
echo "check-installed: passed"
