#!/usr/bin/env bash
# The enabled ET Open set of the shared corpus, end to end: how many rules
# load, start-up (rules parsed and compiled, timed on a capture without
# packets) cold and from the Hyperscan cache with its peak RSS, then one worker on the core
# benchmark's capture and on every real capture of the corpus (Mbit/s
# after start-up, alerts, peak RSS). Figures only, never a test; written
# into docs/performance.md and docs/corpus.md by hand.
#
#   bench_etopen.sh BUILD_DIR [MEGABYTES]
#
# The corpus is ../shared/corpus beside the source tree, or
# $SENSOR_CORPUS_DIR; without it the script says so and exits 0. The core
# benchmark's capture (MEGABYTES, default 256) is written by bench_sensor
# into a temporary folder (its own runs are skipped: only the files are
# wanted, so the sensor binary given to it is `true`).
set -euo pipefail
build=$(cd "$1" && pwd) mb=${2:-256}
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${SENSOR_CORPUS_DIR:-$src/../shared/corpus}
rules=$corpus/rules/et-open-suricata-5.0
if [[ ! -d $rules ]]; then
	echo "bench_etopen: no ET Open set at $rules (set SENSOR_CORPUS_DIR); skipped"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sensor=$build/bin/sensor

cat >"$work/sensor.yaml" <<EOF
classification-file: $rules/classification.config
rules: {cache-dir: $work/cache}
plugins:
  - name: signature
  - name: http
  - name: dns
  - name: tls
  - name: ssh
EOF
args=(-c "$work/sensor.yaml")
for f in "$rules"/*.rules; do args+=(-S "$f"); done

# seconds, user CPU seconds and peak RSS (MB) of one command; its stderr
# kept in $work/err (a failed rule makes -T exit 1: that is expected)
timed() {
	/usr/bin/time -f "%e %U %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || true
	read -r secs user kb < <(tail -n 1 "$work/time")
	echo "$secs $user $((kb / 1024))"
}

enabled=$(cat "$rules"/*.rules | grep -c '^alert\|^pass\|^drop\|^reject' || true)
echo "ET Open: $(ls "$rules"/*.rules | wc -l) files, $enabled enabled rules"
# Start-up is timed on a capture without packets: parse, compile (or the
# cache), no traffic; `sensor -T` (which exits 1 when a rule failed) apart.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0' >"$work/empty.pcap"
rm -rf "$work/cache"
read -r cold cold_cpu cold_mb < <(timed "$sensor" "${args[@]}" -r "$work/empty.pcap" -l "$work")
# failures of the parse and of the plugins' compile (two lines) summed
failed=$( (grep -o '[0-9]* rules failed to load' "$work/err" || echo 0) | cut -d' ' -f1 |
	awk '{n += $1} END {print n + 0}')
echo "rules loaded: $((enabled - failed)) of $enabled" \
	"($(echo "100 * ($enabled - $failed) / $enabled" | bc -l | cut -c1-5) %); failed: $failed"
echo "failures by reason:"
(grep -v 'rules.on-error' "$work/err" | grep -o 'error: .*' || true) | sed -E 's/error: (rule|sid) [0-9]+: //' |
	sed -E "s/'[^']*'/'...'/g" | cut -c1-70 | sort | uniq -c | sort -rn | head -12
read -r warm warm_cpu warm_mb < <(timed "$sensor" "${args[@]}" -r "$work/empty.pcap" -l "$work")
read -r parse parse_cpu parse_mb < <(timed "$sensor" -T "${args[@]}")
echo "start-up (a run on a capture without packets): cold ${cold} s (CPU ${cold_cpu} s)," \
	"${cold_mb} MB peak RSS; from the cache ${warm} s (CPU ${warm_cpu} s), ${warm_mb} MB;" \
	"sensor -T (cached) ${parse} s"

"$build/bin/bench_sensor" /bin/true "$work" "$mb" >/dev/null 2>&1 || true
captures=("$work/bench.pcap")
for p in "$corpus"/pcaps/*.pcap "$corpus"/pcaps/*.pcapng; do
	[[ -f $p ]] && captures+=("$p")
done
printf '%-32s %8s %8s %8s %9s %7s %7s\n' capture MB seconds CPU "Mbit/s" alerts "RSS MB"
for p in "${captures[@]}"; do
	[[ -f $p ]] || continue
	rm -f "$work/eve.json"
	read -r secs cpu rss < <(timed "$sensor" "${args[@]}" --threads 1 -r "$p" -l "$work")
	bytes=$(stat -c %s "$p")
	alerts=$(grep -c '"event_type":"alert"' "$work/eve.json" 2>/dev/null || true)
	run=$(echo "$secs - $warm" | bc -l)
	rate=$(echo "if ($run > 0.01) $bytes * 8 / $run / 1000000 else 0" | bc -l)
	printf '%-32s %8.1f %8.2f %8.2f %9.0f %7s %7s\n' "$(basename "$p")" \
		"$(echo "$bytes / 1000000" | bc -l)" "$secs" "$cpu" "$rate" "${alerts:-0}" "$rss"
done
echo "(seconds and CPU include start-up from the cache; Mbit/s is after it)"
