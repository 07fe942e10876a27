#!/usr/bin/env bash
# Builds the control-plane binaries the tests and the demo run against:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok, at pinned
# versions, from the Go module proxy (nothing else is reachable on our machines).
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
CACHE=${SYNCPOOL_CACHE:-$HOME/.cache/syncpool}
BIN_NAMES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

log() { echo "[testbed-build] $*" >&2; }

has_all() {
  local dir=$1 b
  for b in "${BIN_NAMES[@]}"; do [ -x "$dir/$b" ] || return 1; done
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  has_all "$KUBEBUILDER_ASSETS" || { log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks one of: ${BIN_NAMES[*]}"; exit 1; }
  echo "$KUBEBUILDER_ASSETS"; exit 0
fi

OUT="$CACHE/testbed/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
if has_all "$OUT/bin"; then echo "$OUT/bin"; exit 0; fi

command -v go >/dev/null || { log "go is required to build the control plane (see README, Development)"; exit 1; }
mkdir -p "$OUT/bin" "$OUT/src"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
start=$(date +%s)

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
