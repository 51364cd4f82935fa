#!/usr/bin/env bash
# Server throughput: `signet serve` and notary-server side by side in the same run (TLS and plain).
# Kept for its old command line; the benchmark is bench/server/compare.sh (see bench/README.md).
#
# Usage: bench/server/run.sh [path/to/signet] [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${2:-${SECS:-8}} exec bench/server/compare.sh "${1:-.build/release/signet}"
