#!/usr/bin/env bash
# The main job, end to end on this machine: builds attestctl, makes a throwaway signing key, signs one image
# into an embedded attestation store, and walks step 6 of the kritis-validation-hook walkthrough against a
# kritis-style policy on namespace "default" (Alibaba layout AttestationAuthority + GenericAttestationPolicy).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product attestctl >&2
swift build --product attestd >&2
bin="$(swift build --show-bin-path)"
attestctl="$bin/attestctl"

work="$(mktemp -d)"
daemon_pid=""
cleanup() {
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid"
        wait "$daemon_pid" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
signed_repo="kritis-demo-registry-vpc.cn-hongkong.cr.aliyuncs.com/kritis-demo/alpine"
digest="sha256:ddba4d27a7ffc3f86dd6c2f92041af252a1f23a8e742c90e6e1297bfa1bc0c45"

echo "== keygen → sign → verify"
"$attestctl" keygen --alg rsa-pss-sha256 --out "$work/acr" >/dev/null
"$attestctl" sign --key "$work/acr.key" --alg rsa-pss-sha256 --image "$signed_repo@$digest" \
    --output-payload "$work/payload.json" --output-signature "$work/payload.sig" --store "$work/attestations.sqlite"
"$attestctl" verify --key "$work/acr.pub" --alg rsa-pss-sha256 --image "$signed_repo@$digest" \
    --payload "$work/payload.json" --signature "$work/payload.sig" || true
echo "the same signature presented for docker.io/library/alpine at the same digest:"
"$attestctl" verify --key "$work/acr.pub" --alg rsa-pss-sha256 --image "alpine@$digest" \
    --payload "$work/payload.json" --signature "$work/payload.sig" || true

echo
echo "== the walkthrough's policy (examples/kritis-demo.yaml, with this run's public key)"
public_key_data="$(base64 -w0 "$work/acr.pub")"
sed -e "s|PUBLIC_KEY_DATA|$public_key_data|" -e "s|STORE_PATH|$work/attestations.sqlite|" \
    examples/kritis-demo.yaml >"$work/config.yaml"
"$attestctl" config check "$work/config.yaml" | head -n 3

echo
echo "== step 6: admission decisions in namespace default"
for image in "alpine:3.11" "alpine@$digest" "$signed_repo@$digest"; do
    echo "\$ kubectl -n default create deployment … --image=$image"
    "$attestctl" check --config "$work/config.yaml" --namespace default "$image" || true
done

echo
echo "== the same decisions served by attestd over its Unix socket"
"$bin/attestd" --config "$work/config.yaml" --socket "$work/attestd.sock" --log-level warning &
daemon_pid=$!
for _ in $(seq 1 100); do
    [ -S "$work/attestd.sock" ] && break
    sleep 0.1
done
"$attestctl" ping --socket "$work/attestd.sock" --count 3 --quiet || true
for image in "alpine:3.11" "alpine@$digest" "$signed_repo@$digest"; do
    "$attestctl" check --socket "$work/attestd.sock" --namespace default "$image" || true
done
echo "(asked again: answered from the verdict cache)"
"$attestctl" check --socket "$work/attestd.sock" --namespace default "$signed_repo@$digest" || true
"$attestctl" stats --socket "$work/attestd.sock" | grep -E '^ *(cache\.(hits|misses)|requests\.CHECK|pool\.completed)' || true
kill -TERM "$daemon_pid"
wait "$daemon_pid"
echo "attestd stopped (exit $?)"
daemon_pid=""
