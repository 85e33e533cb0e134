#!/usr/bin/env bash
# The plugin SDK as a third party uses it: install the sensor into a fresh
# prefix, then, against that prefix alone,
#   1. build plugins/example with the CMake package (find_package(SensorPlugin),
#      plugins/example/standalone) and load it in the sensor;
#   2. build it with pkg-config in one cc command and load it the same way;
#   3. build and run the plugin author's Criterion test (tests/sdk) with the
#      CMake package (Sensor::testkit, SENSOR_BIN of the installed sensor);
#   4. build and run the same test with pkg-config (sensor-testkit.pc).
# Both plugins must raise the same alert on the shipped sample capture.
#   usage: test_example_standalone.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
pass() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; echo "$passed passed, 1 failed"; exit 1; }

# A sanitized build installs a sanitized test kit: what links it must be too.
cflags=${STANDALONE_CFLAGS:-}
if grep -q '^SENSOR_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
  cflags="$cflags -fsanitize=address,undefined"
fi

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/ids/plugin.h include/ids/packet.h include/sensor-testkit/itest.h \
  lib/libsensor-testkit.a lib/pkgconfig/sensor-plugin.pc lib/pkgconfig/sensor-testkit.pc \
  lib/cmake/SensorPlugin/SensorPluginConfig.cmake \
  lib/cmake/SensorPlugin/SensorPluginConfigVersion.cmake bin/sensor; do
  test -f "$prefix/$f" || fail "$f not installed"
done
pass

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
[[ "$(realpath "$(pkg-config --variable=plugindir sensor-plugin)")" == "$prefix/lib/sensor/plugins" ]] ||
  fail "plugindir is $(pkg-config --variable=plugindir sensor-plugin)"
sensor_bin=$(realpath "$(pkg-config --variable=sensor_bin sensor-testkit)")
[[ "$sensor_bin" == "$prefix/bin/sensor" ]] || fail "sensor_bin is $sensor_bin"
pass

# Only the entry symbol is exported; the sensor loads the plugin by path
# and it raises exactly the sample capture's one low-TTL alert.
check_plugin() {
  local so=$1 name=$2 exported summary alerts sid_alerts
  exported=$(nm -D --defined-only "$so" | awk '$2 == "T" {print $3}')
  [[ "$exported" == "ids_plugin_entry" ]] || fail "$name: unexpected exports: $exported"
  mkdir -p "$work/$name"
  cat > "$work/$name/sensor.yaml" <<YAML
allow-no-rules: true   # the example plugin raises its alert without rules
plugins:
  - name: example
    path: $so
    options:
      min-ttl: 2
      sid: 9100001
YAML
  summary=$("$build/bin/sensor" -T -c "$work/$name/sensor.yaml")
  [[ "$summary" == "configuration OK: 0 rules; rules per plugin: example=0" ]] ||
    fail "$name: unexpected -T output: $summary"
  "$build/bin/sensor" -c "$work/$name/sensor.yaml" -r "$src/tests/data/sample.pcap" \
    -l "$work/$name/log" >/dev/null
  alerts=$(grep -c '"event_type":"alert"' "$work/$name/log/eve.json" || true)
  sid_alerts=$(grep -c '"signature_id":9100001,' "$work/$name/log/eve.json" || true)
  [[ "$alerts" == 1 && "$sid_alerts" == 1 ]] ||
    fail "$name: expected exactly 1 low-TTL alert, got $alerts ($sid_alerts with sid 9100001)"
  grep -q '"signature":"EXAMPLE packet with a low TTL"' "$work/$name/log/eve.json" ||
    fail "$name: wrong signature"
  # Both builds raise the same alert record, apart from the timestamp.
  grep '"event_type":"alert"' "$work/$name/log/eve.json" | sed 's/"timestamp":"[^"]*"//' \
    > "$work/$name/alert.json"
}

# 1. The CMake package.
cmake -S "$src/plugins/example/standalone" -B "$work/out" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="${STANDALONE_CFLAGS:-}" >/dev/null
cmake --build "$work/out" >/dev/null
test -f "$work/out/example.so" || fail "the CMake package built no example.so"
check_plugin "$work/out/example.so" cmake
pass

# 2. pkg-config, one command.
mkdir -p "$work/pc"
# shellcheck disable=SC2046,SC2086
cc -std=c11 -Wall -Wextra -Werror ${STANDALONE_CFLAGS:-} $(pkg-config --cflags sensor-plugin) \
  -shared -fPIC -fvisibility=hidden -o "$work/pc/example.so" "$src/plugins/example/example.c"
check_plugin "$work/pc/example.so" pkgconfig
cmp -s "$work/cmake/alert.json" "$work/pkgconfig/alert.json" ||
  fail "the two builds raised different alerts"
pass

# 3. The plugin author's test with the CMake package.
cmake -S "$src/tests/sdk" -B "$work/sdk" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="$cflags" >/dev/null
cmake --build "$work/sdk" >/dev/null
"$work/sdk/example_plugin_test" --jobs 1 >"$work/sdk.log" 2>&1 ||
  { cat "$work/sdk.log"; fail "example_plugin_test (CMake package)"; }
grep -q "Tested: 3 | Passing: 3 | Failing: 0 | Crashing: 0" "$work/sdk.log" ||
  { cat "$work/sdk.log"; fail "example_plugin_test (CMake package) ran other tests"; }
pass

# 4. The same test with pkg-config, against the pkg-config-built plugin.
# shellcheck disable=SC2046,SC2086
cc -std=gnu11 -Wall -Wextra -Werror $cflags -o "$work/pc/example_plugin_test" \
  "$src/tests/sdk/example_plugin_test.c" \
  -DSENSOR_BIN="\"$(pkg-config --variable=sensor_bin sensor-testkit)\"" \
  -DEXAMPLE_PLUGIN="\"$work/pc/example.so\"" \
  $(pkg-config --cflags --libs sensor-testkit criterion)
"$work/pc/example_plugin_test" --jobs 1 >"$work/pc.log" 2>&1 ||
  { cat "$work/pc.log"; fail "example_plugin_test (pkg-config)"; }
grep -q "Tested: 3 | Passing: 3 | Failing: 0 | Crashing: 0" "$work/pc.log" ||
  { cat "$work/pc.log"; fail "example_plugin_test (pkg-config) ran other tests"; }
pass

echo "$passed passed, 0 failed"
