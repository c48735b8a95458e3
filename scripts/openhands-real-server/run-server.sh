#!/usr/bin/env bash
# Starts the upstream OpenHands agent server that setup.sh prepared; arguments go to it
# (`--host 127.0.0.1 --port N`). Use it as agents.openhands_sdk.server_command.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${OH_REAL_SERVER_VENV:-/work/oh-venv}"
PATH="$here/bin:$PATH" exec "$venv/bin/python" -m openhands.agent_server "$@"
