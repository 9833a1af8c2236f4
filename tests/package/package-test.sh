#!/usr/bin/env bash
# package-test.sh BUILD-DIR CPACK VERSION: the Debian package of a build tree.
#   1. cpack builds the .deb (into a temporary folder, not the build tree);
#   2. dpkg-deb --info/--contents: its control fields (Depends names the Poco and PoDoFo
#      packages), conffiles, maintainer scripts, and the binary, unit, configuration, man page
#      and documentation in it;
#   3. dpkg installs it into a throwaway root (dpkg --root with --force-script-chrootless, so
#      the maintainer scripts run here with DPKG_ROOT set; --force-depends because that root's
#      database holds none of the libraries, which are this machine's): the postinst made the
#      user, the data folder and its installation, linked the configuration and enabled the
#      service, and touched nothing outside the root;
#   4. the installed binary runs: --version, init of another folder, serve as the service's
#      user on the packaged data folder and configuration; the man page renders;
#   5. systemd-analyze verify (and the offline security review) of the installed unit, with the
#      throwaway root as its root;
#   6. an upgrade (the same tree as version VERSION.1) keeps the installation and the changed
#      conffile; remove keeps the configuration, the data and the user; purge deletes them.
# Every failed check prints what was wrong; the script exits 1 if any failed, 77 (skipped) when
# not run as root or in a sanitizer build (AVTALEFLYT_SANITIZE=ON).
set -uo pipefail
build=${1:?usage: package-test.sh BUILD-DIR CPACK VERSION}
cpack=${2:?usage: package-test.sh BUILD-DIR CPACK VERSION}
version=${3:?usage: package-test.sh BUILD-DIR CPACK VERSION}

if [ "${AVTALEFLYT_SANITIZE:-OFF}" = ON ]; then
  echo "SKIP: a sanitizer build is not packaged (its binary needs the leak suppressions)"
  exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: dpkg --root and the postinst's chown need root"
  exit 77
fi
for tool in dpkg dpkg-deb dpkg-shlibdeps systemd-analyze systemd-sysusers setpriv groff; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/install-deps.sh)"; exit 1; }
done

tmp=$(mktemp -d /tmp/avtaleflyt-package.XXXXXX)
serve_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
# The postinst runs `avtaleflyt init` as the service's user: it must reach the root.
chmod 0755 "$tmp"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }
finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures checks failed"; exit 1; fi
  echo "all checks passed"; exit 0
}

host_state() {  # what the package must not change outside the throwaway root
  sha256sum /etc/passwd /etc/group 2>/dev/null
  ls -ld /var/lib/avtaleflyt /etc/avtaleflyt 2>/dev/null
  ls -l /etc/systemd/system/multi-user.target.wants/avtaleflyt.service 2>/dev/null
}
host_before=$(host_state)

# --- 1. the .deb ------------------------------------------------------------------------------
# (cpack first runs the build tree's `preinstall` target: a no-op when the build is up to date.)
if ! "$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/cpack" > "$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log"
  fail "cpack could not build the .deb"
  finish
fi
debs=("$tmp"/cpack/avtaleflyt_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  cat "$tmp/cpack.log"; ls "$tmp/cpack"
  fail "cpack made no single avtaleflyt_*.deb"
  finish
fi
deb=${debs[0]}
ok "cpack built $(basename "$deb")"

# --- 2. what is in it -------------------------------------------------------------------------
info=$(dpkg-deb --info "$deb")
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = avtaleflyt ] || fail "Package is \"$(field Package)\", not avtaleflyt"
[ "$(field Version)" = "$version" ] || fail "Version is \"$(field Version)\", not $version (project())"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is \"$(field Architecture)\""
for f in Maintainer Section Description; do
  [ -n "$(field $f)" ] || fail "the control file has no $f"
done
depends=$(field Depends)
for dep in 'libpocofoundation[0-9]+' 'libpoconet[0-9]+' 'libpocodatasqlite[0-9]+' 'libpodofo[0-9.]+' \
           'libxml2' 'libsqlite3-0' 'libssl3' 'libc6' 'fonts-dejavu-core' 'icc-profiles-free'; do
  grep -Eq "(^|, )$dep( |,|$)" <<< "$depends" || fail "Depends names no $dep: $depends"
done
ok "control: avtaleflyt $(field Version), Depends: $depends"
for script in postinst prerm postrm conffiles; do
  grep -Eq "^ +[0-9]+ bytes, +[0-9]+ lines +[*]? *$script( |$)" <<< "$info" ||
    fail "the control archive has no $script:"$'\n'"$info"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
[ "$conffiles" = /etc/avtaleflyt/avtaleflyt.properties ] ||
  fail "conffiles is \"$conffiles\", not /etc/avtaleflyt/avtaleflyt.properties"

contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/avtaleflyt ./usr/lib/systemd/system/avtaleflyt.service \
            ./usr/lib/sysusers.d/avtaleflyt.conf ./etc/avtaleflyt/avtaleflyt.properties \
            ./usr/share/man/man1/avtaleflyt.1.gz ./usr/share/doc/avtaleflyt/README.md \
            ./usr/share/doc/avtaleflyt/docs/operator-guide.md \
            ./usr/share/doc/avtaleflyt/docs/workflows/function-description.md; do
  grep -q " $path$" <<< "$contents" || fail "the package holds no $path"
done
grep -q '^-rwxr-xr-x root/root .* ./usr/bin/avtaleflyt$' <<< "$contents" ||
  fail "./usr/bin/avtaleflyt is not root's, mode 0755: $(grep ' ./usr/bin/avtaleflyt$' <<< "$contents")"
ok "contents: $(wc -l <<< "$contents") entries, the binary, unit, sysusers, configuration, man page and docs among them"

# --- 3. install into a throwaway root ---------------------------------------------------------
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/log" "$root/etc"
touch "$root/var/lib/dpkg/status"
dpkg_root() {
  dpkg --root="$root" --force-script-chrootless --force-depends --force-unsafe-io \
       --log=/dev/null "$@"
}
if ! dpkg_root -i "$deb" > "$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  fail "dpkg -i into $root failed"
  finish
fi
status=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' avtaleflyt 2>&1)
[ "$status" = "install ok installed" ] || { cat "$tmp/install.log"; fail "after dpkg -i the package is \"$status\""; }
ok "dpkg -i into the throwaway root: $status"

data=$root/var/lib/avtaleflyt
uid=$(awk -F: '$1 == "avtaleflyt" { print $3 }' "$root/etc/passwd" 2>/dev/null)
gid=$(awk -F: '$1 == "avtaleflyt" { print $3 }' "$root/etc/group" 2>/dev/null)
if [ -z "$uid" ] || [ -z "$gid" ]; then
  cat "$tmp/install.log"
  fail "the postinst made no user and group avtaleflyt in $root/etc/passwd and group"
  uid=0 gid=0
else
  shell=$(awk -F: '$1 == "avtaleflyt" { print $6 ":" $7 }' "$root/etc/passwd")
  [ "$shell" = /var/lib/avtaleflyt:/usr/sbin/nologin ] ||
    fail "the user avtaleflyt has home:shell $shell, not /var/lib/avtaleflyt:/usr/sbin/nologin"
  [ "$uid" -lt 1000 ] || fail "the user avtaleflyt is no system user (uid $uid)"
fi
if [ ! -d "$data" ]; then
  cat "$tmp/install.log"; fail "the postinst made no data folder $data"
else
  [ "$(stat -c '%a %u %g' "$data")" = "750 $uid $gid" ] ||
    fail "the data folder is $(stat -c '%a %u %g' "$data") (mode uid gid), not 750 $uid $gid"
  for f in avtaleflyt.db seal-key.pem seal-certificate.pem; do
    [ -f "$data/$f" ] || fail "the postinst's init made no $f in the data folder: $(ls -la "$data")"
  done
  [ "$(stat -c %u "$data/avtaleflyt.db" 2>/dev/null)" = "$uid" ] ||
    fail "avtaleflyt.db is not the service user's: $(ls -ln "$data")"
  [ "$(readlink "$data/avtaleflyt.properties")" = ../../../etc/avtaleflyt/avtaleflyt.properties ] ||
    fail "DATA/avtaleflyt.properties is no link to /etc/avtaleflyt/avtaleflyt.properties: $(ls -l "$data/avtaleflyt.properties")"
  [ "$(readlink -f "$data/avtaleflyt.properties")" = "$root/etc/avtaleflyt/avtaleflyt.properties" ] ||
    fail "DATA/avtaleflyt.properties does not resolve to the conffile in the root"
  grep -q "Created an avtaleflyt installation in $data" "$tmp/install.log" ||
    fail "the postinst did not say it created the installation: $(cat "$tmp/install.log")"
  ok "postinst: user avtaleflyt ($uid:$gid), $data (750) with avtaleflyt.db, seal, linked configuration"
fi
[ "$(stat -c '%a %U %g' "$root/etc/avtaleflyt/avtaleflyt.properties")" = "640 root $gid" ] ||
  fail "the conffile is $(stat -c '%a %U %g' "$root/etc/avtaleflyt/avtaleflyt.properties"), not 640 root $gid"
[ "$(readlink "$root/etc/systemd/system/multi-user.target.wants/avtaleflyt.service")" = \
  /usr/lib/systemd/system/avtaleflyt.service ] ||
  fail "the postinst did not enable avtaleflyt.service: $(ls -l "$root/etc/systemd/system/multi-user.target.wants" 2>&1)"
[ "$(host_state)" = "$host_before" ] ||
  fail "installing into $root changed this machine: before"$'\n'"$host_before"$'\n'"after"$'\n'"$(host_state)"

# --- 4. the installed binary ------------------------------------------------------------------
bin=$root/usr/bin/avtaleflyt
out=$("$bin" --version 2>&1)
if [ "$out" = "avtaleflyt $version" ]; then
  ok "avtaleflyt --version: $out"
else
  fail "avtaleflyt --version printed \"$out\", not \"avtaleflyt $version\""
fi
out=$("$bin" --data "$tmp/other" init 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "^Created an avtaleflyt installation in $tmp/other (schema version [0-9]*)" <<< "$out" &&
   [ -f "$tmp/other/avtaleflyt.db" ] && [ -f "$tmp/other/avtaleflyt.properties" ]; then
  ok "avtaleflyt --data DIR init: $(head -n 1 <<< "$out")"
else
  fail "avtaleflyt --data $tmp/other init (exit $rc): $out; $(ls -la "$tmp/other" 2>&1)"
fi
out=$("$bin" --data "$tmp/other" log verify 2>&1) ||
  fail "avtaleflyt log verify on the new installation: $out"

as_service_user() {
  exec env -i PATH=/usr/bin:/bin USER=avtaleflyt setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"
}
# serve as the service runs it: the service's user, the packaged data folder and configuration
# (which the link makes it read: the portal.url set here must show in its first line).
echo "portal.url = https://avtaleflyt.test.invalid" >> "$root/etc/avtaleflyt/avtaleflyt.properties"
# (standard output apart from the log on standard error: written to one file, a log line and
# the "Listening" line could end up on one line)
as_service_user "$bin" --data "$data" serve --port 0 --dispatch-every 3600 > "$tmp/serve.out" 2> "$tmp/serve.log" &
serve_pid=$!
for _ in $(seq 100); do grep -q Listening "$tmp/serve.out" && break; sleep 0.1; done
if grep -q '^Listening on http://127.0.0.1:[0-9]*/ (signing links start with https://avtaleflyt.test.invalid/s/)' "$tmp/serve.out"; then
  ok "serve as avtaleflyt on the data folder reads /etc/avtaleflyt/avtaleflyt.properties"
else
  fail "serve as the service's user did not start with the packaged configuration: $(cat "$tmp/serve.out" "$tmp/serve.log")"
fi
kill -TERM "$serve_pid" 2>/dev/null; wait "$serve_pid"; rc=$?; serve_pid=
{ [ $rc -eq 0 ] && grep -q '^Stopped.' "$tmp/serve.out"; } ||
  fail "serve did not stop cleanly on SIGTERM (exit $rc): $(cat "$tmp/serve.out" "$tmp/serve.log")"

man=$root/usr/share/man/man1/avtaleflyt.1.gz
warnings=$(gzip -dc "$man" | groff -man -Tutf8 -ww -z 2>&1)
[ -z "$warnings" ] || fail "groff warns about the man page: $warnings"
page=$(gzip -dc "$man" | groff -man -Tutf8 -rLL=100n -P-cbou 2>/dev/null)
for expect in 'AVTALEFLYT(1)' 'serve [OPTIONS]' '--bind ADDRESS' 'import roster FILE' '--data DIR' \
              'how often to sweep and send the outbox' 'send function-descriptions [OPTIONS]' \
              '/etc/avtaleflyt/avtaleflyt.properties'; do
  grep -qF -- "$expect" <<< "$page" || fail "the man page does not show \"$expect\""
done
ok "man page: $(wc -l <<< "$page") lines, no groff warnings"

# --- 5. the unit ------------------------------------------------------------------------------
unit=$root/usr/lib/systemd/system/avtaleflyt.service
grep -qx 'ExecStart=/usr/bin/avtaleflyt --data /var/lib/avtaleflyt serve --bind 127.0.0.1 --port 8080' "$unit" ||
  fail "the unit's ExecStart is $(grep '^ExecStart=' "$unit")"
for line in User=avtaleflyt Group=avtaleflyt StateDirectory=avtaleflyt StateDirectoryMode=0750 LogsDirectory=avtaleflyt \
            Restart=on-failure UMask=0027 ProtectSystem=strict; do
  grep -qx "$line" "$unit" || fail "the unit has no $line"
done
# --root: the ExecStart binary is looked up in the root; MANPATH: so is the man page the
# unit's Documentation= names. The targets its default dependencies need (sysinit.target ...)
# are this machine's (package systemd).
cp -n /usr/lib/systemd/system/*.target "$root/usr/lib/systemd/system/"
out=$(MANPATH=$root/usr/share/man SYSTEMD_LOG_COLOR=0 systemd-analyze --root="$root" verify \
        /usr/lib/systemd/system/avtaleflyt.service 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then
  ok "systemd-analyze verify: nothing to report"
else
  fail "systemd-analyze --root verify (exit $rc): $out"
fi
# The check can fail: a unit whose binary is not in the root.
sed 's|^ExecStart=/usr/bin/|ExecStart=/usr/bin/no-such-|' "$unit" > "$root/usr/lib/systemd/system/broken-probe.service"
out=$(MANPATH=$root/usr/share/man systemd-analyze --root="$root" verify \
        /usr/lib/systemd/system/broken-probe.service 2>&1)
grep -q 'Command /usr/bin/no-such-avtaleflyt .*is not executable' <<< "$out" ||
  fail "systemd-analyze verify does not notice a unit's missing binary: $out"
rm -f "$root/usr/lib/systemd/system/broken-probe.service"
out=$(systemd-analyze security --offline=yes --root="$root" --threshold=20 \
        /usr/lib/systemd/system/avtaleflyt.service 2>&1); rc=$?
exposure=$(grep -o 'Overall exposure level for avtaleflyt.service: .*' <<< "$out" | sed 's/\x1b\[[0-9;]*m//g')
if [ $rc -eq 0 ] && [ -n "$exposure" ]; then
  ok "systemd-analyze security: ${exposure#Overall exposure level for avtaleflyt.service: }"
else
  fail "systemd-analyze security --offline rates the unit above 2.0 (exit $rc): $(grep -E '✗|Overall' <<< "$out")"
fi

# --- 6. upgrade, remove, purge ----------------------------------------------------------------
# The same tree as a newer version: the postinst (configure with the old version) keeps the
# installation and the changed conffile.
db_before=$(stat -c %i "$data/avtaleflyt.db" 2>/dev/null)
if ! "$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/cpack-newer" -R "$version.1" \
     > "$tmp/cpack-newer.log" 2>&1; then
  cat "$tmp/cpack-newer.log"; fail "cpack could not build version $version.1"
elif ! dpkg_root -i "$tmp"/cpack-newer/avtaleflyt_*.deb > "$tmp/upgrade.log" 2>&1; then
  cat "$tmp/upgrade.log"; fail "dpkg -i of version $version.1 over $version failed"
else
  status=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version} ${Status}' avtaleflyt 2>&1)
  [ "$status" = "$version.1 install ok installed" ] || fail "after the upgrade the package is \"$status\""
  [ "$(stat -c %i "$data/avtaleflyt.db" 2>/dev/null)" = "$db_before" ] ||
    fail "the upgrade replaced the database"
  ! grep -q "Created an avtaleflyt installation" "$tmp/upgrade.log" ||
    fail "the upgrade ran init as if new: $(cat "$tmp/upgrade.log")"
  grep -qx "portal.url = https://avtaleflyt.test.invalid" "$root/etc/avtaleflyt/avtaleflyt.properties" ||
    fail "the upgrade did not keep the changed conffile"
  out=$(as_service_user "$root/usr/bin/avtaleflyt" --data "$data" log verify 2>&1) ||
    fail "log verify after the upgrade: $out"
  ok "dpkg -i of $version.1: installation, database and changed conffile kept"
fi
if ! dpkg_root -r avtaleflyt > "$tmp/remove.log" 2>&1; then
  cat "$tmp/remove.log"; fail "dpkg -r failed"
else
  [ ! -e "$bin" ] || fail "dpkg -r left $bin"
  [ -f "$root/etc/avtaleflyt/avtaleflyt.properties" ] || fail "dpkg -r deleted the conffile"
  [ -f "$data/avtaleflyt.db" ] || fail "dpkg -r deleted the database"
  grep -q '^avtaleflyt:' "$root/etc/passwd" || fail "dpkg -r deleted the user"
  ok "dpkg -r: binary gone; configuration, data and user kept"
fi
if ! dpkg_root -P avtaleflyt > "$tmp/purge.log" 2>&1; then
  cat "$tmp/purge.log"; fail "dpkg -P failed"
else
  [ ! -e "$root/etc/avtaleflyt" ] || fail "dpkg -P left $root/etc/avtaleflyt: $(ls -la "$root/etc/avtaleflyt")"
  [ ! -e "$data" ] || fail "dpkg -P left the data folder: $(ls -la "$data")"
  ! grep -q '^avtaleflyt:' "$root/etc/passwd" || fail "dpkg -P left the user avtaleflyt"
  ! grep -q '^avtaleflyt:' "$root/etc/group" || fail "dpkg -P left the group avtaleflyt"
  [ ! -e "$root/etc/systemd/system/multi-user.target.wants/avtaleflyt.service" ] ||
    fail "dpkg -P left the service enabled"
  ok "dpkg -P: configuration, data, user and group gone"
fi
[ "$(host_state)" = "$host_before" ] ||
  fail "removing from $root changed this machine: before"$'\n'"$host_before"$'\n'"after"$'\n'"$(host_state)"
finish
