#!/usr/bin/env bash
# The card-stack demo, on a machine with no reader: a private pcscd with a virtual reader, the
# simulated CPS3 card in it, then what cps-bridge and stock OpenSC see of it.
# Run by `make demo` after the build. Leaves nothing running when it ends (Ctrl-C or the end).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(swift build --show-bin-path)
D=$(mktemp -d /tmp/cps-bridge-demo.XXXXXX)
mkdir -p "$D/run" "$D/readers" "$D/card"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1] & ~1); s.close()')
printf 'FRIENDLYNAME "CPS Demo Reader"\nDEVICENAME /dev/null:0x%x\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID 0x%x\n' "$PORT" "$PORT" > "$D/readers/vpcd"
printf 'app default {\n  framework pkcs15 {\n    use_pin_caching = false;\n    use_file_caching = false;\n  }\n  pkcs11 {\n    lock_login = true;\n    max_virtual_slots = 64;\n  }\n}\n' > "$D/opensc.conf"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT INT TERM

UNSHARE="unshare -m --propagation private"
[ "$(id -u)" = 0 ] || UNSHARE="unshare -rm --propagation private"
$UNSHARE sh -c "mkdir -p /run/pcscd && mount --bind $D/run /run/pcscd && exec pcscd --foreground -c $D/readers" > "$D/pcscd.log" 2>&1 &
pids+=($!)
export PCSCLITE_CSOCK_NAME="$D/run/pcscd.comm" OPENSC_CONF="$D/opensc.conf"
for _ in $(seq 50); do [ -S "$PCSCLITE_CSOCK_NAME" ] && break; sleep 0.1; done

"$BIN/cps-card-sim" --vpcd-port "$PORT" --state "$D/card" > "$D/card.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "^inserted" "$D/card.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.6   # pcscd polls its readers every ~400 ms

echo "== cps-bridge status (readers, card, holder, PIN tries: no try spent)"
"$BIN/cps-bridge" status
echo
echo "== the daemon: cps-bridge serve, then a login as a federator page would ask for it"
API_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$BIN/cps-bridge" serve --listen "127.0.0.1:$API_PORT" --allow-origin https://federator.example \
  --allow-page-pin https://federator.example > "$D/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$D/serve.log" 2>/dev/null && break; sleep 0.1; done
NONCE=$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')
echo "  POST /v1/authenticate from https://federator.example, PIN 1234:"
curl -s -H "Origin: https://federator.example" -H "Content-Type: application/json" \
  -d "{\"nonce\":\"$NONCE\",\"pin\":\"1234\"}" "http://127.0.0.1:$API_PORT/v1/authenticate" |
  python3 -c 'import json,sys; r=json.load(sys.stdin); t=r.get("token",{}); print("  holder:", json.dumps(r.get("holder"), ensure_ascii=False)); print("  token:", t.get("format"), t.get("algorithm"), "signature", t.get("signature","")[:24]+"...") if t else print("  error:", r)'
echo "  the same from another site:"
curl -s -o /dev/null -w "  HTTP %{http_code}\n" -H "Origin: https://evil.example" -H "Content-Type: application/json" \
  -d "{\"nonce\":\"$NONCE\",\"pin\":\"1234\"}" "http://127.0.0.1:$API_PORT/v1/authenticate"
echo
echo "== stock OpenSC signs with the card (pkcs11-tool --login --pin 1234 --sign)"
printf 'cps-bridge demo' > "$D/message"
openssl dgst -sha256 -binary "$D/message" > "$D/hash"
{ printf '\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20'; cat "$D/hash"; } > "$D/digestinfo"
pkcs11-tool --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so --login --pin 1234 --sign -m RSA-PKCS \
  --label CPS_PRIV_AUT -i "$D/digestinfo" -o "$D/signature" 2>&1 | sed 's/^/  /'
openssl x509 -in "$D/card/holder.pem" -pubkey -noout > "$D/holder-key.pem"
openssl dgst -sha256 -verify "$D/holder-key.pem" -signature "$D/signature" "$D/message" | sed 's/^/  signature: /'
openssl verify -CAfile "$D/card/root-ca.pem" -untrusted "$D/card/issuing-ca.pem" "$D/card/holder.pem" | sed 's/^/  chain: /'
echo
if [ -t 0 ]; then
  echo "The simulated card stays in its reader until Ctrl-C. In another terminal:"
  echo "  export PCSCLITE_CSOCK_NAME=$PCSCLITE_CSOCK_NAME"
  echo "  $BIN/cps-bridge status --json"
  wait
fi
