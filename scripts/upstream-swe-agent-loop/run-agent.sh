#!/usr/bin/env bash
# Runs driver.py (upstream's swe_agent adapter, one agent) in a container of the task's image, as
# upstream runs it in a Modal sandbox of that image: the repository at /workspace/repo, SWE-ReX's
# runtime in the same container. The venv and checkouts of setup.sh are mounted read-only; the
# host's network, so the model server and Redis on 127.0.0.1 answer. See README.md.
#
#   run-agent.sh IMAGE [driver.py arguments…]
#
# OPENAI_API_BASE (the scripted model server) and OPENAI_API_KEY are passed on; litellm reads them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${UPSTREAM_SWE_DIR:-/work/upstream-swe}"
image="$1"; shift
site="$("$dir/venv/bin/python" -c 'import site; print(site.getsitepackages()[0])')"
mounts=(-v "$dir:$dir:ro" -v "$here:$here:ro")
for arg in "$@"; do # the task folder and the result's folder
  case "$arg" in /*) [ -e "$arg" ] && mounts+=(-v "$arg:$arg") || mounts+=(-v "$(dirname "$arg"):$(dirname "$arg")") ;; esac
done
exec docker run --rm --network host --entrypoint python3 "${mounts[@]}" \
  -e UPSTREAM_SWE_SITE="$site" -e OPENAI_API_BASE -e OPENAI_API_KEY -e LITELLM_LOCAL_MODEL_COST_MAP=True \
  -w /workspace/repo "$image" "$here/driver.py" "$@"
