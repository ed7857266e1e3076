#!/usr/bin/env bash
# Validates every Kubernetes manifest in deploy/ offline against the Kubernetes API schemas, so CI catches a
# manifest kube-apiserver would refuse without needing a cluster (`kubectl apply --dry-run=client` needs a
# live API server). Also runs deploy/make-tls.sh into a temporary directory and validates what it writes
# (the TLS Secret and the filled-in ValidatingWebhookConfiguration), and checks the ConfigMap's attestd
# configuration with `attestctl config check`.
#
# The validator is kubernetes-validate from PyPI (it bundles the JSON schemas of each Kubernetes release,
# so it needs no network once installed), pinned and installed into .build-venv/ when missing.
# Validation is strict (unknown fields are errors), every document must have a schema, and every error of
# every document is reported, by file, document and field path.
#
# usage: scripts/validate-manifests.sh [--no-config-check] [FILE.yaml...]
#   K8S_VERSIONS="1.28 1.33" (default) are the Kubernetes versions validated against.
set -euo pipefail
cd "$(dirname "$0")/.."

validator_version="1.37.0"
k8s_versions="${K8S_VERSIONS:-1.28 1.33}"
venv=".build-venv"
config_check=1
files=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-config-check) config_check=0; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) files+=("$1"); shift ;;
    esac
done

python="$venv/bin/python3"
if ! "$python" -c "import kubernetes_validate.version as v; assert v.__version__ == '$validator_version'" 2>/dev/null; then
    echo "validate-manifests: installing kubernetes-validate $validator_version into $venv" >&2
    if ! python3 -m venv --clear "$venv" >/dev/null 2>&1; then
        # Debian's own python3 ships venv's pip bootstrap separately.
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
        python3 -m venv --clear "$venv"
    fi
    "$python" -m pip install --quiet --disable-pip-version-check "kubernetes-validate==$validator_version"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ${#files[@]} -eq 0 ]; then
    # Everything in deploy/ but kustomization.yaml (kustomize's own file, no Kubernetes object) plus what
    # make-tls.sh generates.
    for f in deploy/*.yaml; do
        [ "$(basename "$f")" = kustomization.yaml ] || files+=("$f")
    done
    deploy/make-tls.sh --out "$work/tls" --days 30 2>/dev/null
    files+=("$work/tls/tls-secret.yaml" "$work/tls/validating-webhook-configuration.yaml")
fi

# shellcheck disable=SC2086
"$python" - "$k8s_versions" "${files[@]}" <<'PY'
import base64, re, sys
import jsonschema, yaml
import kubernetes_validate.utils as kv
from referencing import Registry, Resource

versions = sys.argv[1].split()
files = sys.argv[2:]
failures = 0
checked = 0

def location(error):
    return ".".join(str(p) for p in error.path) or "(document)"

def all_errors(doc, version):
    """Every schema error of doc (kubernetes-validate stops at the first), with the same schemas it uses."""
    schema_dir = f"kubernetes-json-schema/v{kv.major_minor(version)}.0-local-strict"
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", doc["apiVersion"])
    schema = kv.schema_contents(f"{schema_dir}/{doc['kind'].lower()}-{api}.json", version)
    definitions = kv.schema_contents(f"{schema_dir}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    validator = jsonschema.validators.Draft202012Validator(schema, registry=registry)
    return sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.path])

for path in files:
    try:
        with open(path) as f:
            documents = list(yaml.safe_load_all(f))
    except (OSError, yaml.YAMLError) as e:
        print(f"ERROR {path}: cannot read YAML: {e}")
        failures += 1
        continue
    documents = [(i + 1, d) for i, d in enumerate(documents) if d is not None]
    if not documents:
        print(f"ERROR {path}: no Kubernetes object in the file")
        failures += 1
    for number, doc in documents:
        where = f"{path} document {number}"
        if not isinstance(doc, dict) or not all(k in doc for k in ("apiVersion", "kind")):
            print(f"ERROR {where}: not a Kubernetes object (no apiVersion/kind)")
            failures += 1
            continue
        name = (doc.get("metadata") or {}).get("name")
        what = f"{doc['kind']}/{name}"
        if not name:
            print(f"ERROR {where} ({doc['kind']}): metadata.name is missing")
            failures += 1
        for version in versions:
            try:
                kv.validate(doc, version, strict=True)
                print(f"ok    {where} {what} (Kubernetes {version}, strict)")
            except kv.ValidationError as first:
                errors = all_errors(doc, version) or [first]
                for e in errors:
                    print(f"ERROR {where} {what} (Kubernetes {version}): {location(e)}: {e.message}")
                failures += 1
            except kv.SchemaNotFoundError as e:
                print(f"ERROR {where} {what}: no schema for {doc['apiVersion']} {doc['kind']} in Kubernetes {version}")
                failures += 1
            except kv.VersionNotSupportedError:
                print(f"ERROR kubernetes-validate has no schemas for Kubernetes {version}")
                sys.exit(2)
        checked += 1
        # What the schemas cannot say.
        if doc["kind"] == "ValidatingWebhookConfiguration":
            for hook in doc.get("webhooks") or []:
                bundle = (hook.get("clientConfig") or {}).get("caBundle")
                if bundle is None:
                    continue
                try:
                    pem = base64.b64decode(bundle, validate=True)
                    ok = pem.startswith(b"-----BEGIN CERTIFICATE-----")
                except ValueError:
                    ok = False
                placeholder = "CA_BUNDLE_FILLED_IN_BY_MAKE_TLS"
                if not ok and bundle != placeholder:
                    print(f"ERROR {where} {what}: webhooks[{hook.get('name')}].clientConfig.caBundle is neither "
                          f"the placeholder nor base64 of a PEM certificate")
                    failures += 1
        if doc["kind"] == "ValidatingWebhookConfiguration" and name == "attestd-kritis-validation-hook":
            # The promises of deploy/README.md, which a valid-but-different manifest would silently break.
            hooks = {h.get("name"): h for h in doc.get("webhooks") or []}
            expected = {"kritis-validation-hook.grafeas.io", "kritis-validation-hook-deployments.grafeas.io"}
            if set(hooks) != expected:
                print(f"ERROR {where} {what}: webhooks are {sorted(hooks)}, expected {sorted(expected)}")
                failures += 1
            for hook_name, hook in hooks.items():
                selector = (hook.get("namespaceSelector") or {}).get("matchExpressions") or []
                wanted = {
                    "failurePolicy": (hook.get("failurePolicy"), "Fail"),
                    "timeoutSeconds": (hook.get("timeoutSeconds"), 10),
                    "sideEffects": (hook.get("sideEffects"), "None"),
                    "admissionReviewVersions": (hook.get("admissionReviewVersions"), ["v1", "v1beta1"]),
                    "namespaceSelector excludes kritis-validation=disabled": (
                        {"key": "kritis-validation", "operator": "NotIn", "values": ["disabled"]} in selector, True),
                    "namespaceSelector excludes kube-system": (
                        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]}
                        in selector, True),
                }
                for field, (actual, want) in wanted.items():
                    if actual != want:
                        print(f"ERROR {where} {what}: webhooks[{hook_name}] {field} is {actual!r}, expected {want!r}")
                        failures += 1
        if doc["kind"] == "Secret" and doc.get("type") == "kubernetes.io/tls":
            for key in ("tls.crt", "tls.key"):
                if key not in (doc.get("data") or {}):
                    print(f"ERROR {where} {what}: data.{key} is missing")
                    failures += 1

print(f"{checked} objects checked against Kubernetes {', '.join(versions)}: {failures} failed")
sys.exit(1 if failures else 0)
PY

# Cross-file consistency of deploy/: the socket attestd listens on (ConfigMap) is the one attest-webhook and
# the liveness probe use, both on the shared volume, the store on the store volume, and the ConfigMap and
# PersistentVolumeClaim the pod names are the shipped ones.
if [ -f deploy/deployment.yaml ] && [ -f deploy/configmap.yaml ]; then
    "$python" - <<'PY'
import sys, yaml
def load(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]
config = yaml.safe_load_all(load("deploy/configmap.yaml")[0]["data"]["config.yaml"])
settings = next(d for d in config if d and d.get("kind") == "AttestdConfig")["spec"]
socket = settings["socket"]["path"]
store = settings["store"]["path"]
pod = load("deploy/deployment.yaml")[0]["spec"]["template"]["spec"]
containers = {c["name"]: c for c in pod["containers"]}
problems = []
if f"--socket={socket}" not in containers["attest-webhook"]["command"]:
    problems.append(f"attest-webhook is not started with --socket={socket} (the ConfigMap's socket.path)")
if socket not in containers["attestd"]["livenessProbe"]["exec"]["command"]:
    problems.append(f"attestd's liveness probe does not ping {socket}")
for name in ("attest-webhook", "attestd"):
    mounts = {m["name"]: m["mountPath"] for m in containers[name]["volumeMounts"]}
    if not socket.startswith(mounts.get("socket", "?") + "/"):
        problems.append(f"the socket {socket} is not on {name}'s socket volume ({mounts.get('socket')})")
mounts = {m["name"]: m["mountPath"] for m in containers["attestd"]["volumeMounts"]}
if not store.startswith(mounts.get("store", "?") + "/"):
    problems.append(f"the store {store} is not on attestd's store volume ({mounts.get('store')})")
volumes = {v["name"]: v for v in pod["volumes"]}
names = {
    "ConfigMap": (volumes["config"]["configMap"]["name"], load("deploy/configmap.yaml")[0]["metadata"]["name"]),
    "PersistentVolumeClaim": (
        volumes["store"]["persistentVolumeClaim"]["claimName"],
        load("deploy/store-pvc.yaml")[0]["metadata"]["name"],
    ),
}
for kind, (used, shipped) in names.items():
    if used != shipped:
        problems.append(f"the pod mounts {kind} {used}, deploy/ ships {shipped}")
for problem in problems:
    print(f"ERROR deploy/: {problem}")
if problems:
    sys.exit(1)
print("ok    deploy/: socket, store and volume names agree across the ConfigMap and the Deployment")
PY
fi

if [ "$config_check" -eq 1 ] && [ -f deploy/configmap.yaml ]; then
    "$python" - deploy/configmap.yaml "$work/config.yaml" <<'PY'
import sys, yaml
with open(sys.argv[1]) as f:
    for doc in yaml.safe_load_all(f):
        if doc and doc.get("kind") == "ConfigMap" and "config.yaml" in (doc.get("data") or {}):
            with open(sys.argv[2], "w") as out:
                out.write(doc["data"]["config.yaml"])
            sys.exit(0)
sys.exit("deploy/configmap.yaml has no ConfigMap with data.config.yaml")
PY
    swift build --product attestctl >&2
    echo "== attestctl config check (deploy/configmap.yaml data.config.yaml)"
    "$(swift build --show-bin-path)/attestctl" config check "$work/config.yaml"
fi
