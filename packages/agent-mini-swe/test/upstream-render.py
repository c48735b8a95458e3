"""Test helper, not shipped: what upstream's mini_swe_agent_v2 shows its model for one configuration file.

Renders with Jinja2 itself, as upstream does (`Template(text, undefined=StrictUndefined)`), on the template
variables upstream's adapter builds (cooperbench/CooperBench, src/cooperbench/agents/mini_swe_agent_v2 at the
commits of ../shared/upstream-configs/README.md; the same code at each of them): its agent's `get_template_vars`
merges the agent settings (`AgentConfig`), the environment settings (`DockerEnvironmentConfig`, or
`ModalEnvironmentConfig` on modal) with `platform.uname()`, the model settings (`LitellmModelConfig`), the call
counters, then `agent_id`, `agents`, `git_enabled`, `messaging_enabled` and `task`. The settings' defaults are
written out here from reading those classes, so this file and the harness learn them independently.
The files it renders stay outside the repository (../shared, beside the checkout, as CI has it): they are
upstream's, supplied by the user at run time, never copied into the project.

stdin: {"file": path, "cases": [{agent_id, agents, git_enabled, messaging_enabled, task_files: [{id, path}], image,
model_name, backend, observations: [{output: {output, returncode, exception_info}, n_model_calls, model_cost}], errors}]}.
stdout: per case {vars, system, instance, observations, format_errors}.
"""

import json
import os
import platform
import sys
from pathlib import Path

import yaml
from jinja2 import StrictUndefined, Template

# Upstream's default summary prompt is its own text, which the project never copies; the harness leaves the
# variable out instead, and the test expects exactly that difference.
NOT_COPIED = "<upstream's default compaction_summary_prompt, not copied>"


def recursive_merge(*mappings):
    """Upstream's utils.serialize.recursive_merge: later mappings win, nested mappings merge."""
    merged = {}
    for mapping in mappings:
        for key, value in (mapping or {}).items():
            if isinstance(merged.get(key), dict) and isinstance(value, dict):
                merged[key] = recursive_merge(merged[key], value)
            elif isinstance(value, dict):
                merged[key] = recursive_merge(value)
            else:
                merged[key] = value
    return merged


def agent_settings(agent):
    """AgentConfig(**agent).model_dump(): its fields only (pydantic drops `mode`), floats and ints as declared."""
    fields = {
        "system_template": agent["system_template"],
        "instance_template": agent["instance_template"],
        "step_limit": int(agent.get("step_limit", 0)),
        "cost_limit": float(agent.get("cost_limit", 3.0)),
        "output_path": agent.get("output_path"),
        "compaction_enabled": bool(agent.get("compaction_enabled", True)),
        "compaction_token_trigger": int(agent.get("compaction_token_trigger", 28000)),
        "compaction_keep_recent_turns": int(agent.get("compaction_keep_recent_turns", 2)),
        "compaction_summary_prompt": agent.get("compaction_summary_prompt", NOT_COPIED),
    }
    return fields


def environment_settings(environment, case):
    """The adapter passes image, cwd, timeout 3600, `environment.env` when set, and the git network (docker, --git)."""
    env = environment.get("env") or {}
    if case["backend"] == "modal":
        return {"image": case["image"], "cwd": "/workspace/repo", "timeout": 3600, "env": env, "max_retries": 5, "retry_delay": 5.0}
    return {
        "image": case["image"],
        "cwd": "/workspace/repo",
        "env": env,
        "forward_env": [],
        "timeout": 3600,
        "executable": os.getenv("MSWEA_DOCKER_EXECUTABLE", "docker"),
        "run_args": ["--rm"],
        # The docker git server's bridge network, given to the environment of a coop run with --git.
        "network": "cooperbench" if case["agents"] and case["git_enabled"] else None,
        "container_timeout": "2h",
        "pull_timeout": 120,
        "interpreter": ["bash", "-lc"],
    }


def model_settings(model, case):
    """LitellmModelConfig(model_name=…, **model).model_dump(); the files all set observation_template."""
    return {
        "model_name": case["model_name"],
        "model_kwargs": model.get("model_kwargs", {}),
        "litellm_model_registry": model.get("litellm_model_registry", os.getenv("LITELLM_MODEL_REGISTRY_PATH")),
        "set_cache_control": model.get("set_cache_control"),
        "cost_tracking": model.get("cost_tracking", os.getenv("MSWEA_COST_TRACKING", "default")),
        "format_error_template": model.get("format_error_template", "{{ error }}"),
        "observation_template": model["observation_template"],
        "multimodal_regex": model.get("multimodal_regex", ""),
    }


def task_of(case):
    """The runner's task text: coop, the feature's feature.md; solo, `## Feature <id>` blocks joined by a `---` rule.

    Read in text mode as upstream reads them (`read_text()`), in UTF-8 whatever this machine's locale.
    """
    texts = [(f["id"], Path(f["path"]).read_text(encoding="utf-8")) for f in case["task_files"]]
    if case["agents"]:
        return texts[0][1]
    return "\n\n---\n\n".join(f"## Feature {fid}\n\n{text}" for fid, text in texts)


def template_vars(config, case, calls, cost):
    team = bool(case["agents"]) and len(case["agents"]) > 1
    return recursive_merge(
        agent_settings(config.get("agent", {})),
        recursive_merge(environment_settings(config.get("environment", {}), case), platform.uname()._asdict()),
        model_settings(config.get("model", {}), case),
        {"n_model_calls": calls, "model_cost": cost},
        {
            "agent_id": case["agent_id"] if team else None,
            "agents": case["agents"] or [],
            "git_enabled": case["git_enabled"],
            "messaging_enabled": case["messaging_enabled"],
        },
        {"task": task_of(case)},
    )


def render(text, **variables):
    return Template(text, undefined=StrictUndefined).render(**variables)


def main():
    request = json.load(sys.stdin)
    with open(request["file"], encoding="utf-8") as f:
        data = yaml.safe_load(f)
    # The adapter merges the file (or its `config:` block) over its own copy of the same file.
    config = recursive_merge(data, data.get("config", data))
    answers = []
    for case in request["cases"]:
        first = template_vars(config, case, 0, 0.0)
        observations = []
        for seen in case["observations"]:
            variables = template_vars(config, case, seen["n_model_calls"], seen["model_cost"])
            observations.append(render(variables["observation_template"], output=seen["output"], **variables))
        answers.append(
            {
                "vars": first,
                "system": render(first["system_template"], **first),
                "instance": render(first["instance_template"], **first),
                "observations": observations,
                # parse_toolcall_actions renders the format error with the error alone.
                "format_errors": [render(first["format_error_template"], error=error) for error in case["errors"]],
            }
        )
    json.dump(answers, sys.stdout, ensure_ascii=False)


main()
