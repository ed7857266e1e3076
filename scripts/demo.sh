#!/usr/bin/env bash
# The main job, end to end on this machine: builds attestctl, attestd and attest-webhook, makes a throwaway
# signing key, signs one image into an embedded attestation store, and walks step 6 of the
# kritis-validation-hook walkthrough against a kritis-style policy on namespace "default" (Alibaba layout
# AttestationAuthority + GenericAttestationPolicy, examples/kritis-demo.yaml): first in-process, then as
# Kubernetes would, sending the walkthrough's three AdmissionReviews (examples/webhook-review-*.json) over
# HTTPS to attest-webhook in front of attestd, with a throwaway CA and server certificate. It stops both
# cleanly and exits non-zero if any decision, answer or exit status differs from the expected one.
#
# usage: scripts/demo.sh [--bench [SECONDS]]
#   --bench   builds in release mode and, before stopping, measures cache-hit admissions over keep-alive HTTPS
#             with `attestctl bench --webhook` for SECONDS (default 10): the README's latency figure.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=debug
bench_seconds=""
while [ $# -gt 0 ]; do
    case "$1" in
        --bench)
            mode=release
            bench_seconds=10
            if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9]+$ ]]; then
                bench_seconds="$2"
                shift
            fi
            shift
            ;;
        *) echo "usage: scripts/demo.sh [--bench [SECONDS]]" >&2; exit 2 ;;
    esac
done
scripts/install-deps.sh
swift build -c "$mode" --product attestctl >&2
swift build -c "$mode" --product attestd >&2
swift build -c "$mode" --product attest-webhook >&2
bin="$(swift build -c "$mode" --show-bin-path)"
attestctl="$bin/attestctl"

work="$(mktemp -d)"
daemon_pid=""
webhook_pid=""
cleanup() {
    for pid in "$webhook_pid" "$daemon_pid"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            wait "$pid" || true
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "demo: FAILED: $*" >&2
    for log in "$work/attestd.log" "$work/attest-webhook.log"; do
        if [ -s "$log" ]; then
            echo "--- $log" >&2
            tail -n 20 "$log" >&2
        fi
    done
    exit 1
}
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
echo "== the same walkthrough as Kubernetes runs it: AdmissionReview over HTTPS to attest-webhook, attestd behind it"
deploy/make-tls.sh --out "$work/tls" --days 1 --san IP:127.0.0.1 --san DNS:localhost 2>/dev/null
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin/attestd" --config "$work/config.yaml" --socket "$work/attestd.sock" --log-level warning \
    >"$work/attestd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 100); do
    [ -S "$work/attestd.sock" ] && break
    kill -0 "$daemon_pid" 2>/dev/null || fail "attestd exited at start"
    sleep 0.1
done
[ -S "$work/attestd.sock" ] || fail "attestd did not create $work/attestd.sock within 10 s"
"$bin/attest-webhook" --socket "$work/attestd.sock" --listen "127.0.0.1:$port" \
    --tls-cert "$work/tls/tls.crt" --tls-key "$work/tls/tls.key" --log-level notice >"$work/attest-webhook.log" 2>&1 &
webhook_pid=$!
url="https://127.0.0.1:$port"
ready=""
for _ in $(seq 1 150); do
    kill -0 "$webhook_pid" 2>/dev/null || fail "attest-webhook exited at start"
    if [ "$(curl -s --cacert "$work/tls/ca.crt" -o /dev/null -w '%{http_code}' "$url/readyz" || true)" = 200 ]; then
        ready=1
        break
    fi
    sleep 0.2
done
[ -n "$ready" ] || fail "attest-webhook at $url did not become ready (GET /readyz) within 30 s"
echo "attestd on its Unix socket, attest-webhook on $url (certificate from a throwaway CA); GET /readyz: 200"

# Sends one review and prints the decision as kubectl shows it (the API server names the webhook that denied:
# kritis-validation-hook-deployments.grafeas.io reviews Deployments, see deploy/). Fails unless the line is
# the expected one and the answer is a well-formed AdmissionReview for this request.
admit() {
    local review="$1" command="$2" expected="$3" status line
    echo "\$ $command"
    status="$(curl -sS --cacert "$work/tls/ca.crt" -H 'Content-Type: application/json' \
        --data-binary "@$review" -o "$work/answer.json" -w '%{http_code}' "$url/validate")" \
        || fail "POST $url/validate with $review: curl failed"
    [ "$status" = 200 ] || fail "POST $url/validate with $review answered HTTP $status: $(cat "$work/answer.json")"
    line="$(python3 - "$review" "$work/answer.json" <<'PY'
import json, sys
request = json.load(open(sys.argv[1]))
answer = json.load(open(sys.argv[2]))
def fail(why):
    print(f"answer to {sys.argv[1]}: {why}: {json.dumps(answer)}")
    sys.exit(1)
if answer.get("apiVersion") != request["apiVersion"] or answer.get("kind") != "AdmissionReview":
    fail("not an AdmissionReview of the request's version")
response = answer.get("response") or {}
if response.get("uid") != request["request"]["uid"]:
    fail("response.uid is not the request's")
name = request["request"]["name"]
if response.get("allowed") is True:
    print(f"deployment.apps/{name} created")
elif response.get("allowed") is False:
    status = response.get("status") or {}
    if status.get("code") != 403:
        fail("denied without status.code 403")
    print('Error from server: admission webhook "kritis-validation-hook-deployments.grafeas.io" '
          f'denied the request: {status.get("message")}')
else:
    fail("response.allowed is missing")
PY
)" || fail "$line"
    echo "$line"
    [ "$line" = "$expected" ] || fail "expected: $expected"
}
denied='Error from server: admission webhook "kritis-validation-hook-deployments.grafeas.io" denied the request:'
admit examples/webhook-review-not-sign-tag.json \
    "kubectl -n default create deployment not-sign --image=alpine:3.11 -- sleep 10" \
    "$denied image alpine:3.11 is not attested"
admit examples/webhook-review-not-sign-digest.json \
    "kubectl -n default create deployment not-sign --image=alpine@$digest -- sleep 10" \
    "$denied image alpine@$digest is not attested"
admit examples/webhook-review-is-signed.json \
    "kubectl -n default create deployment is-signed --image=$signed_repo@$digest -- sleep 10" \
    "deployment.apps/is-signed created"
echo "(asked again: answered from attestd's verdict cache)"
admit examples/webhook-review-is-signed.json \
    "kubectl -n default create deployment is-signed --image=$signed_repo@$digest -- sleep 10" \
    "deployment.apps/is-signed created"
"$attestctl" stats --socket "$work/attestd.sock" | grep -E '^ *(cache\.(hits|misses)|requests\.admit)' || true

if [ -n "$bench_seconds" ]; then
    echo
    echo "== latency of a cache-hit admission: AdmissionReview over keep-alive HTTPS, one in flight (as kube-apiserver sends them)"
    echo "\$ attestctl bench --webhook $url/validate --cacert ca.crt --review examples/webhook-review-is-signed.json --connections 1 --duration $bench_seconds"
    # CPU seconds (user + system) a process has used, from /proc.
    cpu_seconds() { awk -v tick="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / tick }' "/proc/$1/stat"; }
    webhook_cpu="$(cpu_seconds "$webhook_pid")"
    daemon_cpu="$(cpu_seconds "$daemon_pid")"
    "$attestctl" bench --webhook "$url/validate" --cacert "$work/tls/ca.crt" \
        --review examples/webhook-review-is-signed.json --connections 1 --duration "$bench_seconds" 2>/dev/null \
        || fail "attestctl bench --webhook failed"
    echo "server cpu   attest-webhook $(awk -v a="$webhook_cpu" -v b="$(cpu_seconds "$webhook_pid")" 'BEGIN { printf "%.2f", b - a }') s," \
        "attestd $(awk -v a="$daemon_cpu" -v b="$(cpu_seconds "$daemon_pid")" 'BEGIN { printf "%.2f", b - a }') s"
    echo "load         $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15-minute load average of this machine's $(nproc) cores)"
fi

kill -TERM "$webhook_pid"
webhook_status=0
wait "$webhook_pid" || webhook_status=$?
webhook_pid=""
kill -TERM "$daemon_pid"
daemon_status=0
wait "$daemon_pid" || daemon_status=$?
daemon_pid=""
echo "attest-webhook stopped (exit $webhook_status), attestd stopped (exit $daemon_status)"
[ "$webhook_status" -eq 0 ] || fail "attest-webhook exited $webhook_status on SIGTERM"
[ "$daemon_status" -eq 0 ] || fail "attestd exited $daemon_status on SIGTERM"
[ ! -e "$work/attestd.sock" ] || fail "attestd left its socket behind"
echo "demo: every decision as expected"
