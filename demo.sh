#!/usr/bin/env bash
# First command of the README: install what is missing, build, and run the
# sensor on the capture shipped in tests/data with the shipped rules.
set -euo pipefail
cd "$(dirname "$0")"
tests/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 >/dev/null
mkdir -p out
rm -f out/eve.json
build/bin/sensor -r tests/data/sample.pcap -l out
echo
echo "Alerts by signature:"
jq -r 'select(.event_type == "alert") | "\(.alert.signature_id)  \(.alert.signature)"' out/eve.json |
  sort | uniq -c | sort -rn
