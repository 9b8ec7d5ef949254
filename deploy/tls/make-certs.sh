#!/usr/bin/env bash
# A local certificate authority and a server certificate, for TLS on MQTT (8883) and
# the HTTP APIs in development and tests. Not for production: use your own CA there.
#
#   make-certs.sh [OUT_DIR] [NAME...]     default OUT_DIR .klimatpuls/tls; NAMEs are extra
#                                         DNS names for the server certificate
#   make-certs.sh --force [OUT_DIR] ...   replace existing files
#
# Writes ca.crt (give it to clients), ca.key, server.crt, server.key (mode 600). The
# server certificate is valid for localhost, 127.0.0.1, ::1 and the NAMEs. Idempotent:
# an existing CA and certificate are kept unless --force.
set -euo pipefail
force=0
if [[ "${1:-}" == "--force" ]]; then force=1; shift; fi
out="${1:-.klimatpuls/tls}"; shift || true
command -v openssl >/dev/null || { echo "make-certs.sh: openssl is not installed" >&2; exit 1; }
mkdir -p "$out"
cd "$out"
if [[ $force -eq 0 && -f ca.crt && -f server.crt && -f server.key ]]; then
  echo "make-certs.sh: certificates already in $(pwd) (--force to replace)" >&2
  exit 0
fi
umask 077
san="DNS:localhost,IP:127.0.0.1,IP:::1"
for n in "$@"; do san="$san,DNS:$n"; done

# EC P-256 keys: small and fast; Mosquitto, Node.js and curl all accept them.
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout ca.key -out ca.crt -days 825 -subj "/O=Klimatpuls/CN=Klimatpuls local CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout server.key -out server.csr -subj "/O=Klimatpuls/CN=localhost" 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n' "$san" >server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 825 -extfile server.ext 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 600 ca.key server.key
chmod 644 ca.crt server.crt
echo "make-certs.sh: CA and server certificate in $(pwd) (SAN $san)" >&2
