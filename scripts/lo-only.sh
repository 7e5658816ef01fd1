#!/bin/sh
# Runs a command with only the loopback interface, so test traffic cannot leave 127.0.0.1.
# Where network namespaces are not allowed (no root), runs it plainly.
if unshare --net -- true 2>/dev/null; then
  exec unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
echo "lo-only: network namespaces unavailable here; running without one" >&2
exec "$@"
