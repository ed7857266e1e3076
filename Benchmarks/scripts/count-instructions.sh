#!/usr/bin/env bash
# Counts instructions per verification, attestd's VerifierContext against the bare OpenSSL call, with
# callgrind (no hardware performance counters needed). Prints one line per algorithm and the ratio.
#
# Usage: Benchmarks/scripts/count-instructions.sh [ITERATIONS]   (needs valgrind: apt-get install -y valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-500}"
command -v valgrind >/dev/null || { echo "valgrind is required: apt-get install -y valgrind" >&2; exit 2; }
swift build -c release --product VerifyInstructions >&2
binary="$(swift build -c release --show-bin-path)/VerifyInstructions"

count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no \
        --toggle-collect='*measuredLoop*' "$binary" "$1" "$2" "$iterations" 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-20s %16s %16s %8s\n' algorithm "attestd instr/op" "bare instr/op" ratio
for algorithm in rsa-pss-sha256 rsa-pkcs1-sha256 ecdsa-p256-sha256 ed25519; do
    attestd=$(count attestd "$algorithm")
    bare=$(count bare "$algorithm")
    awk -v a="$attestd" -v b="$bare" -v n="$iterations" -v alg="$algorithm" \
        'BEGIN { printf "%-20s %16.0f %16.0f %8.3f\n", alg, a / n, b / n, a / b }'
done
