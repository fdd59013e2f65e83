#!/usr/bin/env bash
# The private certificate authority of the services' mutual TLS (README, "Security model"): one
# CA and one certificate per service identity, made with openssl.
#
#   scripts/pki.sh [DIR] [IDENTITY...]
#
# DIR (default .run/pki) gets ca.key, ca.crt and, for each identity (default: api db logging),
# a folder DIR/IDENTITY with tls.key, tls.crt and a copy of ca.crt: the layout of a Kubernetes
# TLS Secret, which is what each service reads from its GRPC_TLS_DIR. A certificate names its
# identity as its only DNS subject alternative name (and its common name), which is what the
# services check: the db service serves only "api", the logging service "api" and "db".
#
# Re-running renews what expires within PKI_RENEW_DAYS (30) and keeps the rest; a renewed CA
# renews every certificate. Keys are ECDSA P-256, mode 600, in folders of mode 700; files are
# replaced by rename, so a running service (which rereads its files every minute) never reads a
# half-written one. Lifetimes: CA 10 years, service certificates PKI_CERT_DAYS (90).
#
# Environment: PKI_CERT_DAYS (90), PKI_RENEW_DAYS (30), PKI_OWNER (uid:gid to chown the
# identity folders to; the compose stack's init service sets it for the services' user).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/.run/pki}
shift $(($# > 0 ? 1 : 0))
identities=("$@")
((${#identities[@]} > 0)) || identities=(api db logging)
cert_days=${PKI_CERT_DAYS:-90}
renew_seconds=$((${PKI_RENEW_DAYS:-30} * 86400))

command -v openssl >/dev/null || { echo "pki.sh: openssl not found" >&2; exit 1; }
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

# True when CERT exists and is valid for at least the renewal window.
fresh() { [[ -s $1 ]] && openssl x509 -in "$1" -noout -checkend "$renew_seconds" >/dev/null 2>&1; }

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

renewed_ca=false
if ! fresh "$dir/ca.crt" || [[ ! -s $dir/ca.key ]]; then
  new_key "$dir/ca.key.new"
  openssl req -x509 -new -key "$dir/ca.key.new" -days 3650 -subj "/CN=merch-store-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.crt.new"
  mv "$dir/ca.key.new" "$dir/ca.key"
  mv "$dir/ca.crt.new" "$dir/ca.crt"
  renewed_ca=true
  echo "pki.sh: new certificate authority in $dir"
fi

for identity in "${identities[@]}"; do
  [[ $identity =~ ^[a-z][a-z0-9-]*$ ]] || { echo "pki.sh: bad identity '$identity'" >&2; exit 2; }
  out=$dir/$identity
  mkdir -p "$out"
  chmod 700 "$out"
  if $renewed_ca || ! fresh "$out/tls.crt" || [[ ! -s $out/tls.key ]] \
    || ! openssl verify -CAfile "$dir/ca.crt" "$out/tls.crt" >/dev/null 2>&1; then
    new_key "$out/tls.key.new"
    openssl req -new -key "$out/tls.key.new" -subj "/CN=$identity" -out "$out/tls.csr"
    # Both usages: each identity is a server to some and a client of others.
    printf '%s\n' "subjectAltName=DNS:$identity" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth,clientAuth" >"$out/ext.cnf"
    openssl x509 -req -in "$out/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
      -CAcreateserial -CAserial "$dir/ca.srl" -days "$cert_days" -extfile "$out/ext.cnf" \
      -out "$out/tls.crt.new" 2>/dev/null
    rm -f "$out/tls.csr" "$out/ext.cnf"
    # The key first: a reader that sees the new certificate finds its key.
    mv "$out/tls.key.new" "$out/tls.key"
    mv "$out/tls.crt.new" "$out/tls.crt"
    echo "pki.sh: certificate for $identity, valid $cert_days days"
  fi
  cp "$dir/ca.crt" "$out/ca.crt.new"
  mv "$out/ca.crt.new" "$out/ca.crt"
  chmod 600 "$out/tls.key" "$out/tls.crt" "$out/ca.crt"
  [[ -z ${PKI_OWNER:-} ]] || chown -R "$PKI_OWNER" "$out"
done
chmod 600 "$dir/ca.key"
