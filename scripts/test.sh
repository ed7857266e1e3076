#!/usr/bin/env bash
# The test command: installs what the tests need, builds, and runs every test of the package.
set -euo pipefail
cd "$(dirname "$0")/.."
# The third-party conformance vectors are read in place, never copied into this repository: from
# $ATTESTD_CONFORMANCE_DIR, else beside this checkout, else beside the local repository it was cloned from
# (so a clone made anywhere from a checkout that has them finds them too).
vectors="${ATTESTD_CONFORMANCE_DIR:-../shared/conformance}"
origin="$(git config --get remote.origin.url 2>/dev/null || true)"
if [ -z "${ATTESTD_CONFORMANCE_DIR:-}" ] && [ ! -f "$vectors/kritis-detached-signatures.json" ] \
    && [ -n "$origin" ] && [ -d "$origin" ] && [ -f "$origin/../shared/conformance/kritis-detached-signatures.json" ]; then
    vectors="$origin/../shared/conformance"
fi
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
