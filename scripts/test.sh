#!/usr/bin/env bash
# The test command: installs what the tests need, builds, and runs every test of the package.
set -euo pipefail
cd "$(dirname "$0")/.."
# The third-party conformance vectors are read in place, never copied into this repository.
vectors="${ATTESTD_CONFORMANCE_DIR:-../shared/conformance}"
if [ ! -f "$vectors/kritis-detached-signatures.json" ]; then
    echo "test.sh: the kritis conformance vectors are not at $vectors/kritis-detached-signatures.json" >&2
    echo "test.sh: check the project out next to the shared/ folder that holds conformance/, or set" >&2
    echo "test.sh: ATTESTD_CONFORMANCE_DIR to the directory holding kritis-detached-signatures.json" >&2
    exit 2
fi
export ATTESTD_CONFORMANCE_DIR="$(cd "$vectors" && pwd)"
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build --parallel
