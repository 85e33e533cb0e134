#!/usr/bin/env bash
# Install the Debian packages the sensor needs to build and test, only those
# missing. Used by demo.sh and test.sh; safe to run again.
set -euo pipefail

packages=(build-essential cmake pkg-config libhyperscan-dev libpcre2-dev libyaml-dev
          libpcap-dev libcriterion-dev zlib1g-dev jq iproute2 tcpreplay
          libhiredis-dev redis-server redis-tools)
# The EVE schema test (tests/integration/test_eve_schema.c) validates with it.
packages+=(python3-jsonschema)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Vectorscan provides the same libhs.pc as Hyperscan on machines without SSSE3 or on ARM.
if [[ " ${missing[*]} " == *" libhyperscan-dev "* ]] && pkg-config --exists libhs 2>/dev/null; then
  missing=("${missing[@]/libhyperscan-dev}")
fi
[[ -z "${missing[*]// /}" ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if ! $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; then
  # No Hyperscan package on this architecture: try Vectorscan.
  $sudo apt-get install -y -qq "${missing[@]/libhyperscan-dev/libvectorscan-dev}" >/dev/null
fi
