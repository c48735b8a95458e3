#!/usr/bin/env bash
# The load keeper: runs a command beside N busy loops (normal priority), as a loaded machine would
# be, and stops the loops when the command ends, however it ends. Its exit status is the command's.
#
#   bash scripts/test/load-keeper.sh N -- COMMAND [ARG...]
#   bash scripts/test/load-keeper.sh 18 -- env CI=true bash .ci/run
#
# On a 2-core machine the suite alone holds the 1-minute load average near 8; 18 loops beside it
# hold it near 25. Each minute the keeper prints the load average to stderr, so the log says what
# load the command saw.
set -uo pipefail

loops="${1:-}"
if ! [[ "$loops" =~ ^[0-9]+$ ]] || [ "${2:-}" != -- ] || [ $# -lt 3 ]; then
  echo "usage: $0 N -- COMMAND [ARG...]" >&2
  exit 2
fi
shift 2

pids=()
stop() { [ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null; }
trap stop EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 "$loops"); do
  (while :; do :; done) &
  pids+=("$!")
done
(while sleep 60; do printf '[load-keeper] load %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >&2; done) &
pids+=("$!")

"$@"
