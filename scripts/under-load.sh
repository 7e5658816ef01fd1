#!/bin/sh
# Runs a command beside busy loops (LOAD of them, 3 by default), to bring out the timing flakes
# that a loaded 2-core CI machine shows and an idle one hides: e.g.
#   sh scripts/under-load.sh sh scripts/lo-only.sh node --import tsx --test test/server/security.test.ts
# (the CI failures of 2026-11-25 came out this way: a replay test 3 runs in 6, the Sentinel-over-TLS
# failover 2 in 5; neither ever idle).
n=${LOAD:-3}
pids=""
i=0
while [ "$i" -lt "$n" ]; do
  node -e 'for (;;);' &
  pids="$pids $!"
  i=$((i + 1))
done
trap 'kill $pids 2>/dev/null' EXIT INT TERM
"$@"
