#!/usr/bin/env bash
# Peak server memory while a large file is uploaded and downloaded (docs/performance.md).
# Usage: tests/load/upload-rss.sh [size, default 1G] [server binary, default target/release/tandem]
set -euo pipefail
SIZE=${1:-1G}
BIN=${2:-target/release/tandem}
PORT=${PORT:-18087}
DIR=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
head -c "$SIZE" /dev/urandom > "$DIR/big.bin"
BYTES=$(stat -c %s "$DIR/big.bin")
TANDEM_DATA_DIR="$DIR/data" TANDEM_ADDR=127.0.0.1:$PORT TANDEM_AUTH__BCRYPT_COST=4 \
  TANDEM_FILES__MAX_FILE_BYTES=$((BYTES + 1)) TANDEM_FILES__USER_QUOTA_BYTES=$((BYTES * 4)) \
  TANDEM_LOG__LEVEL=warn "$BIN" serve > "$DIR/server.log" 2>&1 &
PID=$!
URL=http://127.0.0.1:$PORT/api/v1
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
TOKEN=$(curl -sf $URL/auth/register -H 'content-type: application/json' \
  -d '{"email":"ana@acme.io","username":"ana","password":"violet harbor kettle","organization_name":"Acme"}' | json '["access_token"]')
CHANNEL=$(curl -sf $URL/channels -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"name":"general","type":"public"}' | json '["id"]')
rss() { awk -v k="$1:" '$1 == k { print $2 }' /proc/$PID/status; }
echo "file: $BYTES bytes"
echo "server before: VmRSS $(rss VmRSS) KiB, peak VmHWM $(rss VmHWM) KiB"
START=$(date +%s.%N)
FILE=$(curl -sf $URL/channels/$CHANNEL/files -H "authorization: Bearer $TOKEN" -F "file=@$DIR/big.bin" | json '["attachments"][0]["id"]')
END=$(date +%s.%N)
echo "uploaded in $(python3 -c "print(round($END - $START, 1))") s; server peak VmHWM $(rss VmHWM) KiB"
START=$(date +%s.%N)
curl -sf $URL/files/$FILE -H "authorization: Bearer $TOKEN" -o "$DIR/back.bin"
END=$(date +%s.%N)
echo "downloaded in $(python3 -c "print(round($END - $START, 1))") s; server peak VmHWM $(rss VmHWM) KiB, now VmRSS $(rss VmRSS) KiB"
cmp -s "$DIR/big.bin" "$DIR/back.bin" && echo "round trip: identical bytes" || { echo "round trip: BYTES DIFFER"; exit 1; }
