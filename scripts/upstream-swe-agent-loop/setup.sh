#!/usr/bin/env bash
# Sets up upstream CooperBench's vendored SWE-agent loop from source, outside the repository, so its
# model requests can be recorded against the testkit's scripted model (developer tool: not shipped,
# not run in CI). See README.md.
#
#   scripts/upstream-swe-agent-loop/setup.sh
#
# Each source is a bare git directory (the `fetch` tool's mirror) or a clone URL:
#   COOPERBENCH_GIT  cooperbench/CooperBench   at COOPERBENCH_REV (default 44b4a7a7…: the release of
#                    the swe_agent files the tests run ours with, so both sides follow one release)
#   SWEREX_GIT       SWE-agent/SWE-ReX          at v1.4.0   (upstream's uv.lock)
#   LITELLM_GIT      BerriAI/litellm (or a fork with its history) at LITELLM_REV, the 1.81.12 bump (upstream's uv.lock)
#   BASHLEX_GIT      idank/bashlex              at 0.18
#   SIMPLE_PARSING_GIT lebrice/SimpleParsing     at v0.1.8
#   UNIDIFF_GIT      matiasb/python-unidiff     at v0.7.5
# UPSTREAM_SWE_DIR (default /work/upstream-swe) receives the checkouts (src/, overwritten) and the
# venv (venv/, Python 3.11, from the pip index this machine has).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${UPSTREAM_SWE_DIR:-/work/upstream-swe}"
mirror=/work/.mirror
pick() { # the mirror's bare git dir when the fetch tool brought it, else the GitHub URL
  if [ -d "$mirror/$1/repo" ]; then echo "$mirror/$1/repo"; else echo "https://github.com/${1/+//}.git"; fi
}
COOPERBENCH_REV="${COOPERBENCH_REV:-44b4a7a79e7229a1baf0360aeb74648b79b7540a}"
LITELLM_REV="${LITELLM_REV:-ed06f04a67010fa88a94f3a35ce1a64025b0185d}"

checkout() { # NAME GIT REV [PATHS…]: REV of GIT into $dir/src/NAME
  local name="$1" git="$2" rev="$3"; shift 3
  local out="$dir/src/$name"
  echo "checkout $rev of $git into $out"
  rm -rf "$out" && mkdir -p "$out"
  if [ ! -d "$git" ]; then
    local tmp; tmp="$(mktemp -d)"
    git clone --quiet --filter=blob:none --no-checkout "$git" "$tmp" && git="$tmp/.git"
  fi
  git --git-dir="$git" archive "$rev" "$@" | tar -x -C "$out"
  git --git-dir="$git" rev-parse "$rev^{commit}" > "$out/.commit"
}
checkout CooperBench "${COOPERBENCH_GIT:-$(pick cooperbench+CooperBench)}" "$COOPERBENCH_REV" src/cooperbench
checkout SWE-ReX "${SWEREX_GIT:-$(pick SWE-agent+SWE-ReX)}" v1.4.0 src/swerex
checkout litellm "${LITELLM_GIT:-$(pick thomelab-codes+forked-litellm)}" "$LITELLM_REV" litellm pyproject.toml
checkout bashlex "${BASHLEX_GIT:-$(pick idank+bashlex)}" 0.18 bashlex
checkout SimpleParsing "${SIMPLE_PARSING_GIT:-$(pick lebrice+SimpleParsing)}" v0.1.8 simple_parsing
checkout unidiff "${UNIDIFF_GIT:-$(pick matiasb+python-unidiff)}" v0.7.5 unidiff

echo "venv $dir/venv"
[ -x "$dir/venv/bin/python" ] || python3.11 -m venv "$dir/venv"
# What the mirror has of the dependencies (upstream's uv.lock pins in brackets where the mirror differs).
PIP_RETRIES=0 PIP_TIMEOUT=3 "$dir/venv/bin/pip" install --quiet 'openai>=2.8,<3' 'pydantic>=2.12' 'httpx==0.28.1' 'jinja2==3.1.6' 'tiktoken' 'tokenizers' \
  'aiohttp' 'click' 'jsonschema' 'python-dotenv' 'importlib-metadata' 'pyyaml' 'tenacity' 'rich' 'redis' 'requests' 'gitpython' \
  'numpy' 'pexpect==4.9.0' 'docstring-parser' 'typing-extensions' 'ruamel.yaml' 'tabulate' 'fastapi' 'uvicorn' 'python-multipart'

site="$("$dir/venv/bin/python" -c 'import site; print(site.getsitepackages()[0])')"
# The sources run from the checkouts; a METADATA per distribution, because litellm and swerex read
# their versions from it.
{
  echo "$here/stubs"
  echo "$dir/src/CooperBench/src"
  echo "$dir/src/SWE-ReX/src"
  echo "$dir/src/litellm"
  echo "$dir/src/bashlex"
  echo "$dir/src/SimpleParsing"
  echo "$dir/src/unidiff"
} > "$site/upstream-swe-agent-loop.pth"
for dist in litellm:1.81.12 swe-rex:1.4.0 bashlex:0.18 simple-parsing:0.1.8 unidiff:0.7.5; do
  info="$site/${dist%%:*}-${dist#*:}.dist-info"
  info="${info//swe-rex/swe_rex}"; info="${info//simple-parsing/simple_parsing}"
  mkdir -p "$info" && printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "${dist%%:*}" "${dist#*:}" > "$info/METADATA"
done

(cd "$(mktemp -d)" && LITELLM_LOCAL_MODEL_COST_MAP=True "$dir/venv/bin/python" "$here/driver.py" --check) || { echo "upstream's loop does not import; see README.md" >&2; exit 1; }
echo "ready: UPSTREAM_SWE_LOOP_RECORD=1 pnpm exec vitest run --project e2e packages/cli/test/e2e/swe-agent-upstream-loop.test.ts"
