#!/usr/bin/env bash
# The whole sensor on a live interface: the highest replay rate (packets/s)
# with zero kernel drops, for AF_PACKET and raw sockets with 1 and 2
# workers, with the core benchmark's 1,000 rules loaded. Figures only; needs
# root. Usage: bench_live_sensor.sh BUILD_DIR [MEGABYTES]
#
# A network namespace joined by a veth pair (198.18.202.1/24 outside,
# .2/24 inside); the core benchmark's capture (tests/bench/bench_sensor.c,
# HTTP-like sessions and DNS-like datagrams) is replayed from inside the
# namespace with tcpreplay at a fixed packets/s, the sensor captures on the
# outer end, and its final stats record gives the kernel's drops. The rate
# doubles until a run drops packets, then the last clean rate is refined.
set -euo pipefail
build=$1 mb=${2:-20}
[[ $(id -u) -eq 0 ]] || { echo "needs root"; exit 1; }
work=$(mktemp -d) ns=sensor-bench-$$ out=sbo$$ in=sbi$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; ip link del "$out" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

ip netns add "$ns"
ip link add "$out" type veth peer name "$in"
ip link set "$in" netns "$ns"
ip addr add 198.18.202.1/24 dev "$out" && ip link set "$out" up
ip netns exec "$ns" ip addr add 198.18.202.2/24 dev "$in"
ip netns exec "$ns" ip link set "$in" up

# The core benchmark's capture and rules (its own run is skipped: only the
# files are wanted, so the sensor binary given is `true`).
gen=$("$build/bin/bench_sensor" /bin/true "$work" "$mb" 2>/dev/null | head -1)
pcap=$work/bench.pcap rules=$work/bench-rules.yaml
echo "$gen"

# drops METHOD WORKERS PPS: replay at PPS; print the kernel drops and the
# rate tcpreplay reached (packets/s).
drops() {
  local log=$work/log
  rm -rf "$log"; mkdir -p "$log"
  "$build/bin/sensor" -v -i "$out" -S "$rules" -l "$log" --threads "$2" --capture-method "$1" \
    2>"$work/err" >/dev/null &
  local pid=$!
  for _ in $(seq 100); do grep -q "capturing on" "$work/err" && break; sleep 0.1; done
  grep -q "capturing on" "$work/err" || { cat "$work/err" >&2; exit 1; }
  local reached
  reached=$(ip netns exec "$ns" tcpreplay --pps="$3" -i "$in" "$pcap" 2>&1 |
            awk '/Rated:/ {printf "%d", $(NF-1)}')
  sleep 0.5
  kill -TERM "$pid"; wait "$pid" || true
  echo "$(jq -r 'select(.event_type == "stats") | .stats.capture.kernel_drops' "$log/eve.json" |
          tail -1) $reached"
}

# The rate asked for doubles until the sensor drops or the sender cannot
# go faster (it reaches less than 90 % of what was asked): the figure is the
# highest rate reached without a drop, and says which limit stopped it.
printf '%-10s %-8s %-12s %s\n' method workers "packets/s" "limited by"
for method in af-packet raw; do
  for workers in 1 2; do
    best=0 rate=50000 limit="-"
    while :; do
      read -r d reached < <(drops "$method" "$workers" "$rate")
      if [[ "$d" != 0 ]]; then limit="sensor: $d kernel drops at $reached packets/s"; break; fi
      (( reached > best )) && best=$reached
      if (( reached * 10 < rate * 9 )); then limit="the sender (tcpreplay on the veth)"; break; fi
      rate=$((rate * 2))
    done
    printf '%-10s %-8s %-12s %s\n' "$method" "$workers" "$best" "$limit"
  done
done
