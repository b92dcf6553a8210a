#!/usr/bin/env bash
# Recomputes the PROTOCOL.md test vector with openssl alone, independently of the Swift code:
# the signed data, the RS256 signature and the token JSON, from the committed TEST key and
# certificate. PKCS#1 v1.5 is deterministic, so the output never changes.
#
#   scripts/protocol-test-vector.sh            prints the token JSON
#   scripts/protocol-test-vector.sh --verbose  also prints each intermediate value in hex
#
# The key and certificate were made once with (TEST ONLY, never a real card's key):
#   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out test-vector-key.pem
#   openssl req -new -x509 -key test-vector-key.pem -utf8 -sha256 -days 9131 -multivalue-rdn \
#     -set_serial 0x5445535456454354 -addext 'basicConstraints=critical,CA:false' \
#     -addext 'keyUsage=critical,digitalSignature' \
#     -subj '/CN=899700012345+SN=TEST-VECTOR+GN=NOT A REAL CARD/title=Médecin/O=CPS-BRIDGE TEST VECTOR - NOT FOR PRODUCTION/C=FR' \
#     -outform DER | base64 -w0 > test-vector-certificate.b64
set -euo pipefail
cd "$(dirname "$0")/../Tests/BridgeProtocolTests/Fixtures"

ORIGIN='https://auth.esw.esante.gouv.fr'
NONCE='kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg='
APP_VERSION='https://github.com/cps-bridge/cps-bridge/releases/tag/v0.1.0'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1-2. SHA-256 of the origin and of the nonce's base64 text (not decoded), as UTF-8 bytes.
printf '%s' "$ORIGIN" | openssl dgst -sha256 -binary > "$work/origin-hash"
printf '%s' "$NONCE" | openssl dgst -sha256 -binary > "$work/nonce-hash"
# 3. Their 64-byte concatenation is the signed data.
cat "$work/origin-hash" "$work/nonce-hash" > "$work/signed-data"
# 4. RS256: PKCS#1 v1.5 signature over SHA-256 of the signed data.
openssl dgst -sha256 -sign test-vector-key.pem -out "$work/signature" "$work/signed-data"
# The signature verifies with the certificate's public key.
base64 -d test-vector-certificate.b64 | openssl x509 -inform DER -pubkey -noout > "$work/public.pem"
openssl dgst -sha256 -verify "$work/public.pem" -signature "$work/signature" "$work/signed-data" >&2

if [ "${1:-}" = --verbose ]; then
  {
    echo "SHA-256(origin)      $(xxd -p -c 64 "$work/origin-hash")"
    echo "SHA-256(nonce)       $(xxd -p -c 64 "$work/nonce-hash")"
    echo "SHA-256(signed data) $(openssl dgst -sha256 -binary "$work/signed-data" | xxd -p -c 64)"
  } >&2
fi

cat <<JSON
{
  "format": "web-eid:1.0",
  "unverifiedCertificate": "$(cat test-vector-certificate.b64)",
  "algorithm": "RS256",
  "signature": "$(base64 -w0 "$work/signature")",
  "appVersion": "$APP_VERSION"
}
JSON
