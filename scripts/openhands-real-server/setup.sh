#!/usr/bin/env bash
# Builds the upstream OpenHands agent server from source for the bridge's contract tests, outside
# the repository (developer tool: not shipped, not run in CI). See README.md.
#
#   OH_SDK_GIT=<git dir or URL of OpenHands/software-agent-sdk> scripts/openhands-real-server/setup.sh
#
# OH_SDK_TAG (default v1.43.1), OH_SDK_DIR (default /work/oh-sdk: the checkout, overwritten) and
# OH_REAL_SERVER_VENV (default /work/oh-venv) say where. Needs python3.11 and a pip index with the
# packages below (this machine's local mirror).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
git_src="${OH_SDK_GIT:-https://github.com/OpenHands/software-agent-sdk.git}"
tag="${OH_SDK_TAG:-v1.43.1}"
src="${OH_SDK_DIR:-/work/oh-sdk}"
venv="${OH_REAL_SERVER_VENV:-/work/oh-venv}"
version="${tag#v}"

echo "checkout $tag of $git_src into $src"
rm -rf "$src" && mkdir -p "$src"
if [ -d "$git_src" ]; then
  git --git-dir="$git_src" archive "$tag" | tar -x -C "$src"
else
  tmp="$(mktemp -d)" && git clone --quiet --depth 1 --branch "$tag" "$git_src" "$tmp" && cp -a "$tmp/." "$src/" && rm -rf "$tmp"
fi

echo "backport the 3.12-only syntax to 3.11"
python3.11 "$here/backport_py311.py" "$src"

echo "venv $venv"
[ -x "$venv/bin/python" ] || python3.11 -m venv "$venv"
# What the mirror has of the four packages' dependencies; the rest is stubbed (stubs/).
"$venv/bin/pip" install --quiet fastapi uvicorn 'pydantic>=2.11' websockets wsproto aiosqlite sqlalchemy alembic httpx jsonschema \
  python-json-logger tenacity filelock deprecation pillow cachetools openai docker joserfc fastmcp tiktoken aiohttp jinja2 pyyaml

site="$("$venv/bin/python" -c 'import site; print(site.getsitepackages()[0])')"
# The packages run from the checkout; metadata only, because the server reads its own versions
# (server_info) from it and the packages require Python 3.12 to install.
: > "$site/cooperbench-stubs-path.pth"
echo "$here/stubs" >> "$site/cooperbench-stubs-path.pth"
for package in openhands-sdk openhands-tools openhands-workspace openhands-agent-server; do
  echo "$src/$package" >> "$site/cooperbench-stubs-path.pth"
  info="$site/${package//-/_}-$version.dist-info"
  mkdir -p "$info" && printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$package" "$version" > "$info/METADATA"
done
echo "import cooperbench_stubs" > "$site/zz-cooperbench-stubs.pth"

(cd "$(mktemp -d)" && "$venv/bin/python" -c 'import openhands.agent_server.api' >/dev/null 2>&1) || { echo "the server does not import; see README.md" >&2; exit 1; }
echo "ready: $here/run-server.sh --host 127.0.0.1 --port 8000"
