#!/usr/bin/env bash
# test_install.sh SOURCE_DIR BUILD_DIR - the relocatable install: the build
# tree (configured with whatever prefix) is installed into another prefix
# with --prefix, moved elsewhere, and staged with DESTDIR; each installed
# sensor finds its config, rules and plugins from its own folder, passes
# -T with rules loaded and alerts on tests/data/sample.pcap. A config with
# no rules is refused at -T unless it says allow-no-rules.
set -euo pipefail
src=$1 build=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sensor-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

check_tree() { # PREFIX-AS-FOUND
  local bin=$1/bin/sensor out
  [[ -x $bin ]] || fail "no $bin"
  out=$("$bin" -T) || fail "-T failed in $1"
  [[ $out == "configuration OK: "*" rules;"* && $out != "configuration OK: 0 rules"* ]] ||
    fail "-T in $1 said: $out"
  mkdir -p "$tmp/log"
  out=$(cd "$tmp" && "$bin" -r "$src/tests/data/sample.pcap" -l "$tmp/log") ||
    fail "run in $1 failed"
  [[ $out == *"12 alerts written to $tmp/log/eve.json"* ]] || fail "run in $1 said: $out"
  [[ $(grep -c '"event_type":"alert"' "$tmp/log/eve.json") == 12 ]] || fail "alerts in eve.json"
  rm -rf "$tmp/log"
  [[ -x $1/bin/sensorctl ]] || fail "no sensorctl in $1"
}

cmake --install "$build" --prefix "$tmp/first" >/dev/null
check_tree "$tmp/first"
# The systemd unit (naming this prefix), its user, logrotate, man pages.
unit=$tmp/first/lib/systemd/system/sensor.service
grep -q "^ExecStart=$tmp/first/bin/sensor -c $tmp/first/etc/sensor/sensor.yaml " "$unit" ||
  fail "unit: $(grep ExecStart= "$unit")"
grep -q '^ExecReload=/bin/kill -USR2 \$MAINPID' "$unit" || fail "unit: no USR2 reload"
grep -q '^AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN' "$unit" || fail "unit: capabilities"
for f in lib/sysusers.d/sensor.conf share/doc/sensor/examples/logrotate.sensor \
         share/man/man8/sensor.8 share/man/man1/sensorctl.1; do
  [[ -s $tmp/first/$f ]] || fail "not installed: $f"
done
grep -q '^\.TH SENSOR 8 ' "$tmp/first/share/man/man8/sensor.8" || fail "sensor.8 header"
mv "$tmp/first" "$tmp/moved"
check_tree "$tmp/moved"
DESTDIR="$tmp/stage" cmake --install "$build" --prefix /opt/sensor-test >/dev/null
check_tree "$tmp/stage/opt/sensor-test"
grep -q "^ExecStart=/opt/sensor-test/bin/sensor " \
  "$tmp/stage/opt/sensor-test/lib/systemd/system/sensor.service" || fail "unit under DESTDIR"

printf 'plugins:\n  - name: signature\n' > "$tmp/empty.yaml"
if "$tmp/moved/bin/sensor" -T -c "$tmp/empty.yaml" 2>"$tmp/err"; then fail "zero rules accepted"; fi
grep -q "no rules loaded" "$tmp/err" || fail "no message for zero rules: $(cat "$tmp/err")"
printf 'allow-no-rules: true\nplugins:\n  - name: signature\n' > "$tmp/empty.yaml"
"$tmp/moved/bin/sensor" -T -c "$tmp/empty.yaml" >/dev/null || fail "allow-no-rules refused"
echo "install: OK"
