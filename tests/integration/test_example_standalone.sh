#!/usr/bin/env bash
# The example plugin built as a third party builds it: install the sensor's
# headers into a fresh prefix, build plugins/example/standalone against that
# prefix alone, load the result by path, and check its alerts on the shipped
# sample capture.
#   usage: test_example_standalone.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/ids/plugin.h"
test -f "$work/prefix/include/ids/packet.h"

cmake -S "$src/plugins/example/standalone" -B "$work/out" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_C_FLAGS="${STANDALONE_CFLAGS:-}" >/dev/null
cmake --build "$work/out" >/dev/null
test -f "$work/out/example.so"
# Only the entry symbol is exported.
exported=$(nm -D --defined-only "$work/out/example.so" | awk '$2 == "T" {print $3}')
[[ "$exported" == "ids_plugin_entry" ]] || { echo "unexpected exports: $exported"; exit 1; }

cat > "$work/sensor.yaml" <<YAML
plugins:
  - name: example
    path: $work/out/example.so
    options:
      min-ttl: 2
      sid: 9100001
YAML
summary=$("$build/bin/sensor" -T -c "$work/sensor.yaml")
[[ "$summary" == "configuration OK: 0 rules; rules per plugin: example=0" ]] ||
  { echo "unexpected -T output: $summary"; exit 1; }

"$build/bin/sensor" -c "$work/sensor.yaml" -r "$src/tests/data/sample.pcap" -l "$work/log" >/dev/null
alerts=$(grep -c '"event_type":"alert"' "$work/log/eve.json" || true)
sid_alerts=$(grep -c '"signature_id":9100001,' "$work/log/eve.json" || true)
[[ "$alerts" == 1 && "$sid_alerts" == 1 ]] ||
  { echo "expected exactly 1 low-TTL alert, got $alerts ($sid_alerts with sid 9100001)"; exit 1; }
grep -q '"signature":"EXAMPLE packet with a low TTL"' "$work/log/eve.json"
echo "1 passed, 0 failed"
