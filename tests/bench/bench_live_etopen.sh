#!/usr/bin/env bash
# The sensor's own live ceiling: the enabled ET Open set (the shared
# corpus) is heavy enough per packet that the project's transmit-ring
# sender (bench_live, tests/bench/txring.c) outruns the sensor on the veth
# rig, so the rate at which the sensor starts to drop is found, for
# AF_PACKET and raw sockets with 1 and 2 workers, with the sender's own
# ceiling printed beside each. Figures only, never a test; needs root.
#
#   bench_live_etopen.sh BUILD_DIR [MEGABYTES [af-packet|raw WORKERS]]
#
# The frames sent are the core benchmark's (bench_sensor writes the
# capture, MEGABYTES, default 64; bench_live sends its first 65,536
# frames). The corpus is ../shared/corpus beside the source tree, or
# $SENSOR_CORPUS_DIR; without it the script says so and exits 0. The
# Hyperscan cache is filled once before the runs, so each step's sensor
# starts from it. Each step sends for SECONDS_PER_STEP seconds (default 5),
# long enough that the sensor's 64 MB ring cannot hide a rate above its own.
set -euo pipefail
build=$(cd "$1" && pwd) mb=${2:-64}
shift $(($# < 2 ? $# : 2)) # what is left: one configuration, or none for all
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${SENSOR_CORPUS_DIR:-$src/../shared/corpus}
rules=$corpus/rules/et-open-suricata-5.0
if [[ ! -d $rules ]]; then
	echo "bench_live_etopen: no ET Open set at $rules (set SENSOR_CORPUS_DIR); skipped"
	exit 0
fi
[[ $(id -u) -eq 0 ]] || { echo "bench_live_etopen: needs root"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
	echo "classification-file: $rules/classification.config"
	echo "rules: {cache-dir: $work/cache}"
	echo "plugins: [{name: signature}, {name: http}, {name: dns}, {name: tls}, {name: ssh}]"
	echo "rule-files:"
	for f in "$rules"/*.rules; do echo "  - $f"; done
} >"$work/sensor.yaml"
"$build/bin/bench_sensor" /bin/true "$work" "$mb" >/dev/null 2>&1
# Fill the cache (the rules that do not load are reported once here).
"$build/bin/sensor" -T -c "$work/sensor.yaml" >"$work/check.txt" 2>&1 || true
tail -1 "$work/check.txt"
"$build/bin/bench_live" --sensor "$build/bin/sensor" - --config "$work/sensor.yaml" \
	--seconds "${SECONDS_PER_STEP:-5}" --frames "$work/bench.pcap" "$@" 2>&1 | grep -v '^$' || true
