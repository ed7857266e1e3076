#!/usr/bin/env bash
# Makes the TLS material attest-webhook needs in a cluster, offline, with openssl only (no kubectl):
#   OUT/ca.crt, OUT/ca.key                  a private CA (ECDSA P-256) that signs only this webhook's certificate
#   OUT/tls.crt, OUT/tls.key                the serving certificate for SERVICE.NAMESPACE.svc (and its other
#                                           in-cluster names as subjectAltNames), signed by the CA
#   OUT/tls-secret.yaml                     a kubernetes.io/tls Secret holding tls.crt and tls.key
#   OUT/validating-webhook-configuration.yaml
#                                           deploy/validating-webhook-configuration.yaml with caBundle filled
#                                           in (and the Service name and namespace, when not the defaults)
# Keys are created mode 0600. The CA key is not needed in the cluster: keep it offline or delete it.
#
# usage: deploy/make-tls.sh --out DIR [--service NAME] [--namespace NS] [--days N] [--san TYPE:VALUE]...
#                           [--secret-name NAME] [--force]
#   --san adds a subjectAltName (e.g. IP:127.0.0.1, DNS:localhost) for running the webhook elsewhere.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "make-tls.sh: $*" >&2; exit 2; }

out=""
service="attest-webhook"
namespace="attestd-system"
secret_name="attest-webhook-tls"
days=365
force=0
extra_sans=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --service) service="${2:?--service needs a name}"; shift 2 ;;
        --namespace) namespace="${2:?--namespace needs a name}"; shift 2 ;;
        --secret-name) secret_name="${2:?--secret-name needs a name}"; shift 2 ;;
        --days) days="${2:?--days needs a number}"; shift 2 ;;
        --san) extra_sans+=("${2:?--san needs TYPE:VALUE}"); shift 2 ;;
        --force) force=1; shift ;;
        -h|--help) usage ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[ -n "$out" ] || die "--out DIR is required"
dns_label='^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'
[[ "$service" =~ $dns_label ]] || die "--service $service is not a DNS-1123 label"
[[ "$namespace" =~ $dns_label ]] || die "--namespace $namespace is not a DNS-1123 label"
[[ "$secret_name" =~ ^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$ ]] || die "--secret-name $secret_name is not a DNS-1123 name"
[[ "$days" =~ ^[0-9]+$ ]] && [ "$days" -ge 1 ] && [ "$days" -le 3650 ] || die "--days $days is not 1...3650"
for san in "${extra_sans[@]+"${extra_sans[@]}"}"; do
    [[ "$san" =~ ^(DNS:[A-Za-z0-9.*-]+|IP:[0-9A-Fa-f.:]+)$ ]] || die "--san $san is not DNS:NAME or IP:ADDRESS"
done
command -v openssl >/dev/null || die "openssl is not installed"

mkdir -p "$out"
if [ "$force" -eq 0 ] && { [ -e "$out/ca.key" ] || [ -e "$out/tls.key" ]; }; then
    die "$out already holds keys; use --force to replace them"
fi
umask 077

fqdn="$service.$namespace.svc"
sans="DNS:$service,DNS:$service.$namespace,DNS:$fqdn,DNS:$fqdn.cluster.local"
for san in "${extra_sans[@]+"${extra_sans[@]}"}"; do sans="$sans,$san"; done

openssl ecparam -name prime256v1 -genkey -noout -out "$out/ca.key.tmp" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$out/ca.key.tmp" -out "$out/ca.key"
rm -f "$out/ca.key.tmp"
openssl req -x509 -new -sha256 -key "$out/ca.key" -days "$days" -subj "/CN=attest-webhook CA for $fqdn" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$out/ca.crt"

openssl ecparam -name prime256v1 -genkey -noout -out "$out/tls.key.tmp" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$out/tls.key.tmp" -out "$out/tls.key"
rm -f "$out/tls.key.tmp"
openssl req -new -sha256 -key "$out/tls.key" -subj "/CN=$fqdn" -out "$out/tls.csr"
cat >"$out/tls.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$sans
authorityKeyIdentifier=keyid
subjectKeyIdentifier=hash
EXT
openssl x509 -req -sha256 -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -days "$days" -extfile "$out/tls.ext" -out "$out/tls.crt" 2>/dev/null
rm -f "$out/tls.csr" "$out/tls.ext" "$out/ca.srl"
openssl verify -CAfile "$out/ca.crt" -purpose sslserver "$out/tls.crt" >/dev/null \
    || die "the serving certificate does not verify against the CA"
chmod 0644 "$out/ca.crt" "$out/tls.crt"

cat >"$out/tls-secret.yaml" <<YAML
# The serving certificate of attest-webhook ($sans), made by deploy/make-tls.sh.
apiVersion: v1
kind: Secret
metadata:
  name: $secret_name
  namespace: $namespace
  labels:
    app.kubernetes.io/name: attestd
    app.kubernetes.io/part-of: attestd
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 "$out/tls.crt")
  tls.key: $(base64 -w0 "$out/tls.key")
YAML

ca_bundle="$(base64 -w0 "$out/ca.crt")"
template="$here/validating-webhook-configuration.yaml"
grep -q 'caBundle: CA_BUNDLE_FILLED_IN_BY_MAKE_TLS' "$template" || die "$template has no caBundle placeholder"
sed -e "s|caBundle: CA_BUNDLE_FILLED_IN_BY_MAKE_TLS|caBundle: $ca_bundle|" \
    -e "s|^\(        name:\) attest-webhook\$|\1 $service|" \
    -e "s|^\(        namespace:\) attestd-system\$|\1 $namespace|" \
    "$template" >"$out/validating-webhook-configuration.yaml"
chmod 0644 "$out/tls-secret.yaml" "$out/validating-webhook-configuration.yaml"
# The Secret holds the private key: readable by its owner only.
chmod 0600 "$out/tls-secret.yaml"

echo "make-tls.sh: CA and serving certificate for $fqdn ($sans), valid $days days, in $out" >&2
