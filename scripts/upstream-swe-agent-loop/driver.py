"""Runs upstream CooperBench's swe_agent adapter (`SweAgentRunner.run` of
`cooperbench/agents/swe_agent/adapter.py`) for one agent, as upstream's runner calls it, with
SWE-ReX's `LocalDeployment` standing in for Modal: run it inside the task's container, where the
repository is at /workspace/repo. Its model calls go through the real litellm to
`OPENAI_API_BASE` (the testkit's scripted model server). See README.md for what is stubbed.

    python driver.py --task-dir DATASET/REPO/taskN --features 1,2 --result OUT.json             (solo)
    python driver.py --task-dir … --features 1 --agent-id agent1 --agents agent1,agent2 \
        --comm-url 'redis://127.0.0.1:6379#run:ID' --result OUT.json                              (coop)
    python driver.py --check        (imports upstream's loop, runs nothing)
"""

import argparse
import importlib.util
import json
import os
import site
import sys
import types
from pathlib import Path

# In the task's container (run-agent.sh), the venv of setup.sh is mounted and added here: the
# container's own python3 runs upstream's code, as upstream's image has its own.
if os.environ.get("UPSTREAM_SWE_SITE"):
    site.addsitedir(os.environ["UPSTREAM_SWE_SITE"])

# litellm fetches its model price list from the network unless told not to; the list only prices.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{name} is not on the path: run setup.sh")
    return Path(spec.origin).parent


def bare_package(name: str, path: Path) -> None:
    """A package whose `__init__.py` is skipped: `cooperbench/__init__.py` imports the runner and the
    evaluator (modal, docker, the OpenHands SDK), which the swe_agent adapter does not use."""
    module = types.ModuleType(name)
    module.__path__ = [str(path)]
    sys.modules[name] = module


def load_file(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def prepare() -> type:
    # `cooperbench` without its __init__ (its source folder is found through the .pth of setup.sh).
    root = None
    for entry in sys.path:
        candidate = Path(entry) / "cooperbench" / "agents" / "swe_agent" / "adapter.py"
        if candidate.exists():
            root = Path(entry) / "cooperbench"
            break
    if root is None:
        raise SystemExit("cooperbench's source is not on the path: run setup.sh")
    bare_package("cooperbench", root)

    # At 44b4a7a the vendored agent still imports the messaging connector from
    # `cooperbench.agents.mini_swe_agent.connectors.messaging`, a module that 9352d2f moved, unchanged,
    # to `mini_swe_agent_v2` (upstream's swe_agent does not import at that commit without this alias).
    for name in ("cooperbench.agents.mini_swe_agent", "cooperbench.agents.mini_swe_agent.connectors"):
        bare_package(name, root / "agents" / "mini_swe_agent_v2")
    # The registry imports every adapter when `cooperbench.agents` loads; the others (mini_swe_agent_v2,
    # openhands_agent_sdk, claude_code: platformdirs, Modal apps, the OpenHands SDK) are not the one run
    # here, so they are empty modules.
    for other in ("mini_swe_agent_v2", "openhands_agent_sdk", "claude_code"):
        bare_package(f"cooperbench.agents.{other}", root / "agents" / other)
        sys.modules[f"cooperbench.agents.{other}.adapter"] = types.ModuleType(f"cooperbench.agents.{other}.adapter")
    load_file(
        "cooperbench.agents.mini_swe_agent.connectors.messaging",
        root / "agents" / "mini_swe_agent_v2" / "connectors" / "messaging.py",
    )

    # Modal: the adapter imports it and patches SWE-ReX's Modal image builder; the deployment it then
    # asks `get_deployment` for is replaced by a local one below, so neither is ever called.
    modal = types.ModuleType("modal")
    modal.Image = type("Image", (), {})
    sys.modules["modal"] = modal
    swerex_modal = types.ModuleType("swerex.deployment.modal")
    swerex_modal._ImageBuilder = type("_ImageBuilder", (), {"from_registry": lambda self, image_name: None})
    sys.modules["swerex.deployment.modal"] = swerex_modal

    import swerex.deployment
    from swerex.deployment.local import LocalDeployment

    swerex.deployment.get_deployment = lambda config: LocalDeployment()

    from cooperbench.agents.swe_agent.adapter import SweAgentRunner

    return SweAgentRunner


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--task-dir")
    parser.add_argument("--features", default="")
    parser.add_argument("--agent-id", default="solo")
    parser.add_argument("--agents", default="")
    parser.add_argument("--comm-url")
    parser.add_argument("--model", default="openai/scripted-model")
    parser.add_argument("--image", default="")
    parser.add_argument("--result")
    args = parser.parse_args()

    runner_class = prepare()
    if args.check:
        # What the adapter imports when it runs.
        import litellm  # noqa: F401
        from cooperbench.agents.swe_agent.agent.agents import DefaultAgentConfig  # noqa: F401
        from cooperbench.agents.swe_agent.environment.swe_env import SWEEnv  # noqa: F401
        from swerex.deployment.config import ModalDeploymentConfig  # noqa: F401

        print("upstream's swe_agent adapter and loop import")
        return

    agents = [a for a in args.agents.split(",") if a] or None
    features = [int(f) for f in args.features.split(",") if f]
    task_dir = Path(args.task_dir)
    # What upstream's runner hands the adapter (`_spawn_agent` of runner/solo.py and runner/coop.py):
    # solo, the features' texts joined; coop, the agent's one feature's text; then the backend (and in
    # coop the run id) and the keys of an `--agent-config` file, here `cost_limit: 0`, because the
    # scripted model has no price and SWE-agent refuses a cost limit on a model without one.
    if agents is None:
        parts = [f"## Feature {fid}\n\n{(task_dir / f'feature{fid}' / 'feature.md').read_text()}" for fid in features]
        task = "\n\n---\n\n".join(parts)
        config = {"backend": "modal", "cost_limit": 0}
    else:
        task = (task_dir / f"feature{features[0]}" / "feature.md").read_text()
        run_id = args.comm_url.split("#run:")[1] if args.comm_url and "#run:" in args.comm_url else None
        config = {"backend": "modal", "run_id": run_id, "cost_limit": 0}
    result = runner_class().run(
        task=task,
        image=args.image,
        agent_id=args.agent_id,
        model_name=args.model,
        agents=agents,
        comm_url=args.comm_url,
        git_server_url=None,
        git_enabled=False,
        messaging_enabled=agents is not None,
        config=config,
        agent_config=None,
        log_dir=None,
    )
    summary = {"status": result.status, "patch": result.patch, "steps": result.steps, "error": result.error}
    text = json.dumps(summary, indent=2)
    if args.result:
        Path(args.result).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
