#!/usr/bin/env bash
# The alerts of two sensor builds with the whole enabled ET Open set, on
# every capture of the corpus: (sid, pcap_cnt) of each alert, sorted,
# compared capture by capture. For changes that must keep the alerts (a
# matcher's databases, port groups); prints one line per capture (its
# alert count) and DIFF with the first differences where they differ,
# then the totals. Not a test: it takes minutes (one start-up per capture
# and build).
#
#   cmp_etopen_alerts.sh OLD_BUILD_DIR NEW_BUILD_DIR [any|half|wide]
#
# With `any`, HOME_NET and EXTERNAL_NET are `any` and HTTP_PORTS a list,
# so that far more rules can fire on the corpus's addresses. With `half`,
# HOME_NET is a quarter of the IPv4 space in two blocks (0/2 and 128/2:
# 10.x and 172.16.x in, 192.168.x out) and half of IPv6, so that the
# corpus's flows cross between home and outside both ways (the address
# classes of matcher_addr.c). With `wide`, as `any` but HOME_NET is half
# of each family (0/1, ::/1): many alerts, and rules split by address. The corpus
# is ../shared/corpus beside the source tree, or $SENSOR_CORPUS_DIR;
# without the ET set the script says so and exits 0. Needs jq.
set -euo pipefail
old=$(cd "$1" && pwd) new=$(cd "$2" && pwd) nets=${3:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${SENSOR_CORPUS_DIR:-$src/../shared/corpus}
rules=$corpus/rules/et-open-suricata-5.0
if [[ ! -d $rules ]]; then
	echo "cmp_etopen_alerts: no ET Open set at $rules (set SENSOR_CORPUS_DIR); skipped"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One config per build, each with its own Hyperscan cache.
for b in old new; do
	{
		if [[ $nets == any ]]; then
			echo 'vars:'
			echo '  address-groups: {HOME_NET: any, EXTERNAL_NET: any}'
			echo '  port-groups: {HTTP_PORTS: "[80,81,8000,8080,3128]"}'
		elif [[ $nets == wide ]]; then
			echo 'vars:'
			echo '  address-groups: {HOME_NET: "[0.0.0.0/1,::/1]", EXTERNAL_NET: any}'
			echo '  port-groups: {HTTP_PORTS: "[80,81,8000,8080,3128]"}'
		elif [[ $nets == half ]]; then
			echo 'vars:'
			echo '  address-groups: {HOME_NET: "[0.0.0.0/2,128.0.0.0/2,::/1]"}'
		fi
		echo "classification-file: $rules/classification.config"
		echo "rules: {cache-dir: $work/cache-$b}"
		echo 'plugins: [{name: signature}, {name: http}, {name: dns}, {name: tls}, {name: ssh}]'
		echo 'rule-files:'
		for f in "$rules"/*.rules; do echo "  - $f"; done
	} >"$work/$b.yaml"
done

# (sid, pcap_cnt) of the alerts of build $1 on capture $2, sorted.
alerts() {
	local dir=$old
	[[ $1 == new ]] && dir=$new
	rm -rf "$work/out" && mkdir "$work/out"
	"$dir/bin/sensor" -r "$2" -c "$work/$1.yaml" -l "$work/out" >/dev/null 2>&1 || true
	jq -c 'select(.event_type=="alert") | [.alert.signature_id, .pcap_cnt]' \
		"$work/out/eve.json" 2>/dev/null | sort
}

total=0 caps=0 diffs=0
while read -r cap; do
	alerts old "$cap" >"$work/a_old"
	alerts new "$cap" >"$work/a_new"
	n=$(wc -l <"$work/a_new")
	total=$((total + n)) caps=$((caps + 1))
	if ! cmp -s "$work/a_old" "$work/a_new"; then
		diffs=$((diffs + 1))
		echo "DIFF $cap"
		diff "$work/a_old" "$work/a_new" | head -5 || true
	fi
	echo "$cap $n"
done < <(find "$corpus" \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
echo "$caps captures, $total alerts (new build), $diffs captures with different alerts"
