#!/usr/bin/env python3
"""Verify the demo dataset the way the harness will use it.

Run as ``bash dataset/tools/verify.sh`` (which picks node 22 when available) or
``python3 dataset/tools/verify.py [--task REPO/taskN ...] [--jobs N] [-v]``.

For every task (clones of its repo.bundle at the base commit; ``runner.sh`` is
executed under bubblewrap with the clone at /workspace/repo, the patches at
/patches, the runner at /usr/local/bin/runner.sh, the host read-only and no
network):

0. layout: required files, contiguous feature ids, git-style patches, base commit
   consistent between Dockerfile, setup.sh and the bundle, feature patches touch
   no test file and tests patches only test files;
1. every feature: its tests.patch alone fails; feature.patch + tests.patch passes
   (exit 0 and at least one passed test);
2. every pair: gold patches committed on branches agent1/agent2, then
   ``git merge agent1 --no-commit --no-ff`` on agent2: conflict or clean;
3. every pair, solo rule: either both gold patches apply with plain ``git apply``
   (in sequence, or concatenated into one patch) and both features' tests pass on
   the result, or they do not both apply and rule 4 holds;
4. combined.patch without test files + each feature's tests.patch passes;
5. every pair whose gold patches merge cleanly: both features' tests pass on the
   merge (the coop oracle must pass there).

Also (informational) the coop oracle on conflicting pairs: the union merge of both
gold patches, tested with both features' tests.

Finally the subset files are checked against the tasks. Exit status 1 on any
violation. Only the Python standard library, git and bwrap are used.
"""

import argparse
import concurrent.futures
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
DATASET = os.path.dirname(TOOLS)

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "CooperBench Verify",
    "GIT_AUTHOR_EMAIL": "verify@cooperbench.local",
    "GIT_COMMITTER_NAME": "CooperBench Verify",
    "GIT_COMMITTER_EMAIL": "verify@cooperbench.local",
}

TEST_DIRS = {"tests", "test", "__tests__"}
TEST_FILE_RES = [
    re.compile(r"^test_.*\.py$"),
    re.compile(r"^.*_test\.py$"),
    re.compile(r"^conftest\.py$"),
    re.compile(r"^.*_test\.go$"),
    re.compile(r"^.*\.(test|spec)\.(js|jsx|ts|tsx|mjs|cjs|mts|cts)$"),
]

PYTEST_SUMMARY = re.compile(
    r"^=*\s*(\d+ [a-z]+(?:, \d+ [a-z]+)*) in [0-9.]+s(?: \([0-9:]+\))?\s*=*\s*$"
)
NODE_SUMMARY = re.compile(r"^(?:\u2139 |# )(tests|pass|fail|cancelled|skipped|todo) (\d+)\s*$")


# --------------------------------------------------------------------------- helpers


def run(args, cwd=None, env=None, timeout=600):
    full_env = dict(os.environ)
    full_env.update(GIT_ENV)
    if env:
        full_env.update(env)
    proc = subprocess.run(
        args,
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        timeout=timeout,
    )
    return proc.returncode, proc.stdout


def git(cwd, *args):
    code, out = run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd)
    return code, out


def git_ok(cwd, *args):
    code, out = git(cwd, *args)
    if code != 0:
        raise RuntimeError("git {} failed in {}:\n{}".format(" ".join(args), cwd, out))
    return out.strip()


def git_diff(cwd, *args):
    """A diff exactly as git prints it (no stripping: trailing context matters)."""
    code, out = git(cwd, "diff", *args)
    if code != 0:
        raise RuntimeError("git diff {} failed in {}:\n{}".format(" ".join(args), cwd, out))
    return out


def parse_counts(output):
    """(passed, failed) summed over every recognised summary line (docs/reference-compatibility.md#evaluation)."""
    passed = failed = 0
    for line in output.splitlines():
        line = line.rstrip()
        m = PYTEST_SUMMARY.match(line)
        if m:
            for item in m.group(1).split(", "):
                n, word = item.split(" ", 1)
                if word == "passed":
                    passed += int(n)
                elif word in ("failed", "error", "errors"):
                    failed += int(n)
            continue
        m = NODE_SUMMARY.match(line)
        if m:
            if m.group(1) == "pass":
                passed += int(m.group(2))
            elif m.group(1) in ("fail", "cancelled"):
                failed += int(m.group(2))
    return passed, failed


def patch_sections(text):
    """Split a git diff into (old path, new path, section text)."""
    sections = []
    current = []
    for line in text.splitlines(True):
        if line.startswith("diff --git ") and current:
            sections.append("".join(current))
            current = []
        current.append(line)
    if current:
        sections.append("".join(current))
    out = []
    for sec in sections:
        m = re.match(r"diff --git a/(\S+) b/(\S+)", sec)
        if m:
            out.append((m.group(1), m.group(2), sec))
        else:
            out.append((None, None, sec))
    return out


def is_test_path(path):
    parts = path.split("/")
    if any(part in TEST_DIRS for part in parts[:-1]):
        return True
    return any(r.match(parts[-1]) for r in TEST_FILE_RES)


def without_test_files(patch_text, extra_paths=()):
    kept = []
    for old, new, sec in patch_sections(patch_text):
        paths = {p for p in (old, new) if p}
        if any(is_test_path(p) or p in extra_paths for p in paths):
            continue
        kept.append(sec)
    return "".join(kept)


def git_style_problems(name, text):
    problems = []
    if not text.strip():
        return ["{} is empty".format(name)]
    if not text.startswith("diff --git "):
        problems.append("{} does not start with 'diff --git'".format(name))
    for old, _new, sec in patch_sections(text):
        if old is None:
            problems.append("{} has a section without a 'diff --git a/X b/X' header".format(name))
        elif not re.search(r"^index [0-9a-f]+\.\.[0-9a-f]+", sec, re.M):
            problems.append("{}: section for {} has no index line".format(name, old))
    if not text.endswith("\n"):
        problems.append("{} does not end with a newline".format(name))
    return problems


# --------------------------------------------------------------------------- sandbox


class Sandbox:
    """A clone of the task repository plus a patch folder, and a way to run runner.sh.

    Under bubblewrap the runner sees exactly the container paths of the image
    contract; without bubblewrap a copy of the runner with those two paths
    rewritten is run instead.
    """

    def __init__(self, task_dir, sha, workdir, use_bwrap):
        self.task_dir = task_dir
        self.workdir = workdir
        self.repo = os.path.join(workdir, "repo")
        self.patches = os.path.join(workdir, "patches")
        self.runner = os.path.join(task_dir, "runner.sh")
        self.use_bwrap = use_bwrap
        os.makedirs(self.patches)
        git_ok(workdir, "clone", "-q", os.path.join(task_dir, "repo.bundle"), self.repo)
        git_ok(self.repo, "checkout", "-q", "--detach", sha)
        self.head = git_ok(self.repo, "rev-parse", "HEAD")
        if not use_bwrap:
            text = open(self.runner).read()
            text = text.replace("/workspace/repo", self.repo).replace("/patches", self.patches)
            self.runner = os.path.join(workdir, "runner-local.sh")
            with open(self.runner, "w") as f:
                f.write(text)

    def _argv(self, args):
        if not self.use_bwrap:
            return ["bash", self.runner, *args]
        argv = ["bwrap", "--die-with-parent", "--unshare-net", "--unshare-pid"]
        argv += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        for entry in sorted(os.listdir("/")):
            path = "/" + entry
            if entry in ("proc", "dev", "tmp", "workspace", "patches"):
                continue
            if os.path.islink(path):
                argv += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                argv += ["--ro-bind", path, path]
        # The image has runner.sh in /usr/local/bin; hide the host's copy of that folder.
        argv += ["--tmpfs", "/usr/local/bin", "--ro-bind", self.runner, "/usr/local/bin/runner.sh"]
        argv += ["--dir", "/workspace", "--bind", self.repo, "/workspace/repo"]
        argv += ["--bind", self.patches, "/patches", "--chdir", "/workspace"]
        argv += ["bash", "/usr/local/bin/runner.sh", *args]
        return argv

    def run_runner(self, files, args):
        """Write ``files`` ({name: text}) to the patch folder and run the runner."""
        for name in os.listdir(self.patches):
            os.remove(os.path.join(self.patches, name))
        for name, text in files.items():
            with open(os.path.join(self.patches, name), "w") as f:
                f.write(text)
        started = time.time()
        code, out = run(self._argv(args), cwd=self.repo)
        passed, failed = parse_counts(out)
        status = git_ok(self.repo, "status", "--porcelain")
        head = git_ok(self.repo, "rev-parse", "HEAD")
        return {
            "exit": code,
            "passed": passed,
            "failed": failed,
            "ok": code == 0 and passed > 0,
            "output": out,
            "seconds": time.time() - started,
            "left_dirty": bool(status) or head != self.head,
        }

    def run_tests(self, tests_patch, feature_patch=None):
        files = {"tests.patch": tests_patch}
        args = ["tests.patch"]
        if feature_patch is not None:
            files["feature.patch"] = feature_patch
            args.append("feature.patch")
        return self.run_runner(files, args)


# --------------------------------------------------------------------------- checks


class Task:
    def __init__(self, repo, task_id):
        self.repo = repo
        self.task_id = task_id
        self.name = "{}/task{}".format(repo, task_id)
        self.dir = os.path.join(DATASET, repo, "task{}".format(task_id))
        self.features = sorted(
            int(m.group(1))
            for m in (re.fullmatch(r"feature(\d+)", e) for e in os.listdir(self.dir))
            if m and os.path.isdir(os.path.join(self.dir, m.group(0)))
        )

    def read(self, *parts):
        with open(os.path.join(self.dir, *parts), encoding="utf-8") as f:
            return f.read()

    def pairs(self):
        return list(itertools.combinations(self.features, 2))


def discover(filters):
    tasks = []
    for repo in sorted(os.listdir(DATASET)):
        if not repo.endswith("_task") or not os.path.isdir(os.path.join(DATASET, repo)):
            continue
        for entry in sorted(os.listdir(os.path.join(DATASET, repo))):
            m = re.fullmatch(r"task(\d+)", entry)
            if not m:
                continue
            task = Task(repo, int(m.group(1)))
            if filters and task.name not in filters:
                continue
            tasks.append(task)
    return tasks


def short(result):
    return "exit={} passed={} failed={}".format(result["exit"], result["passed"], result["failed"])


def tail(text, lines=25):
    return "\n".join("      | " + line for line in text.rstrip().splitlines()[-lines:])


def check_layout(task, report):
    """Static checks; returns the base commit (or None)."""
    v = report["violations"]
    for name in ("Dockerfile", "setup.sh", "runner.sh", "combined.patch", "repo.bundle", "cooperbench.json"):
        if not os.path.isfile(os.path.join(task.dir, name)):
            v.append("missing {}".format(name))
    if v:
        return None
    if task.features != list(range(1, len(task.features) + 1)):
        v.append("feature ids are not contiguous from 1: {}".format(task.features))
    if len(task.features) < 2:
        v.append("fewer than 2 features")
    docker = task.read("Dockerfile")
    m = re.search(r"^RUN git clone (\S+) repo && cd repo && git checkout ([0-9a-f]{40})\s*$", docker, re.M)
    if not m:
        v.append("Dockerfile has no 'git clone <URL> repo && cd repo && git checkout <sha>' line")
        return None
    sha = m.group(2)
    if not re.search(r'^ENTRYPOINT \["/usr/local/bin/runner.sh"\]', docker, re.M):
        v.append("Dockerfile has no runner.sh ENTRYPOINT")
    setup = task.read("setup.sh")
    m2 = re.search(r'^BASE_COMMIT="([0-9a-f]{40})"', setup, re.M)
    if not m2 or m2.group(1) != sha:
        v.append("setup.sh BASE_COMMIT does not match the Dockerfile")
    if not re.search(r"^REPO_NAME=", setup, re.M):
        v.append("setup.sh has no REPO_NAME")
    try:
        manifest = json.loads(task.read("cooperbench.json"))
        tools = manifest["local"]["hostTools"]
        if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
            v.append("cooperbench.json local.hostTools is not a list of strings")
        for t in tools:
            if not shutil.which(t):
                v.append("host tool {} is not on PATH".format(t))
    except (ValueError, KeyError, TypeError) as exc:
        v.append("cooperbench.json is invalid: {}".format(exc))
    runner = task.read("runner.sh")
    for needle in ("set -e", "trap ", "git reset --hard HEAD", "git clean -fdx", "cd \"$REPO_DIR\"", "timeout 300"):
        if needle not in runner:
            v.append("runner.sh lacks {!r}".format(needle))
    combined = task.read("combined.patch")
    v.extend(git_style_problems("combined.patch", combined))
    tests_paths = set()
    for n in task.features:
        fdir = "feature{}".format(n)
        for name in ("feature.md", "feature.patch", "tests.patch"):
            if not os.path.isfile(os.path.join(task.dir, fdir, name)):
                v.append("missing {}/{}".format(fdir, name))
        if v:
            continue
        md = task.read(fdir, "feature.md")
        for label in ("**Title**:", "**Pull Request Details**", "**Description**:", "**Solution**:", "**Files Modified**"):
            if label not in md:
                v.append("{}/feature.md lacks {}".format(fdir, label))
        if "\r" in md:
            v.append("{}/feature.md has CRLF".format(fdir))
        fp = task.read(fdir, "feature.patch")
        tp = task.read(fdir, "tests.patch")
        listed = set(re.findall(r"^- `([^`]+)`", md.split("**Files Modified**", 1)[-1], re.M))
        touched = {new for _old, new, _sec in patch_sections(fp) if new}
        if listed != touched:
            v.append(
                "{}/feature.md lists files {} but feature.patch touches {}".format(
                    fdir, sorted(listed), sorted(touched)
                )
            )
        v.extend(git_style_problems(fdir + "/feature.patch", fp))
        v.extend(git_style_problems(fdir + "/tests.patch", tp))
        for old, new, _sec in patch_sections(fp):
            if old and (is_test_path(old) or is_test_path(new)):
                v.append("{}/feature.patch touches test file {}".format(fdir, new))
        for old, new, _sec in patch_sections(tp):
            if old and not (is_test_path(old) and is_test_path(new)):
                v.append("{}/tests.patch touches non-test file {}".format(fdir, new))
            tests_paths.update(p for p in (old, new) if p)
    task.tests_paths = tests_paths
    return sha


def verify_task(task, use_bwrap, verbose):
    report = {"task": task.name, "violations": [], "lines": [], "pairs": {}, "features": len(task.features)}
    lines = report["lines"]
    v = report["violations"]
    started = time.time()
    sha = check_layout(task, report)
    report["sha"] = sha
    if sha is None:
        return report
    tmp = tempfile.mkdtemp(prefix="cb-verify-")
    try:
        box = Sandbox(task.dir, sha, os.path.join(tmp, "sandbox"), use_bwrap)
        if box.head != sha:
            v.append("bundle does not contain base commit {}".format(sha))
            return report
        scratch = os.path.join(tmp, "scratch")
        git_ok(tmp, "clone", "-q", os.path.join(task.dir, "repo.bundle"), scratch)
        git_ok(scratch, "checkout", "-q", "--detach", sha)

        gold = {n: task.read("feature{}".format(n), "feature.patch") for n in task.features}
        tests = {n: task.read("feature{}".format(n), "tests.patch") for n in task.features}

        def expect(label, result, should_pass):
            if result["left_dirty"]:
                v.append("{}: runner left the repository dirty or moved HEAD".format(label))
            good = result["ok"] if should_pass else (result["exit"] != 0)
            if not good:
                want = "pass" if should_pass else "fail"
                v.append("{}: expected {} but got {}\n{}".format(label, want, short(result), tail(result["output"])))
            elif verbose:
                print("    [{}] {}: {}".format(task.name, label, short(result)), flush=True)
            return good

        # Runner contract: usage and missing files.
        res = box.run_runner({}, [])
        if res["exit"] != 1 or "Usage" not in res["output"]:
            v.append("runner.sh without arguments should print usage and exit 1 (exit={})".format(res["exit"]))
        res = box.run_runner({}, ["nope.patch"])
        if res["exit"] != 1:
            v.append("runner.sh with a missing tests patch should exit 1 (exit={})".format(res["exit"]))
        res = box.run_runner({"tests.patch": tests[task.features[0]]}, ["tests.patch", "missing.patch"])
        if res["exit"] != 1:
            v.append("runner.sh with a missing feature patch should exit 1 (exit={})".format(res["exit"]))

        # 1. Each feature: tests fail on base, pass with the gold patch.
        lines.append("  features:")
        for n in task.features:
            base = box.run_tests(tests[n])
            ok_base = expect("feature{} tests on base".format(n), base, should_pass=False)
            with_gold = box.run_tests(tests[n], gold[n])
            ok_gold = expect("feature{} tests with gold patch".format(n), with_gold, should_pass=True)
            lines.append(
                "    feature{:<3} base: {:4} ({:>2} passed, {:>2} failed)   gold: {:4} ({:>2} passed, {:>2} failed)".format(
                    n,
                    "FAIL" if base["exit"] else "PASS",
                    base["passed"],
                    base["failed"],
                    "PASS" if with_gold["ok"] else "FAIL",
                    with_gold["passed"],
                    with_gold["failed"],
                )
                + ("" if ok_base and ok_gold else "   <-- VIOLATION")
            )

        # 4. combined.patch without test files + each tests.patch.
        combined_src = without_test_files(task.read("combined.patch"), task.tests_paths)
        combined_ok = {}
        if not combined_src.strip():
            v.append("combined.patch has no non-test changes")
        for n in task.features:
            res = box.run_tests(tests[n], combined_src)
            combined_ok[n] = expect("combined.patch (no tests) + feature{} tests".format(n), res, True)
        lines.append(
            "  combined.patch (without test files): "
            + ", ".join("f{} {}".format(n, "PASS" if combined_ok[n] else "FAIL") for n in task.features)
        )
        # The full combined.patch must apply on base too.
        code, out = git(scratch, "apply", "--check", os.path.join(task.dir, "combined.patch"))
        if code != 0:
            v.append("combined.patch does not apply to the base commit:\n" + tail(out))

        # 2. Gold conflicts, 3. solo rule, coop oracle (informational).
        lines.append("  pairs:")
        for a, b in task.pairs():
            info = pair_merge(scratch, sha, gold[a], gold[b])
            seq = sequential_apply(scratch, sha, gold[a], gold[b])
            concatenated = gold[a] + gold[b]
            concat_applies = git_applies(scratch, sha, concatenated)
            if seq is not None or concat_applies:
                # Rule (1): whichever way both gold patches apply, both features must pass.
                solo_how = "sequential"
                solo_ok = True
                for how, patch in (("in sequence", seq), ("concatenated", concatenated if concat_applies else None)):
                    if patch is None:
                        continue
                    ra = box.run_tests(tests[a], patch)
                    rb = box.run_tests(tests[b], patch)
                    if not (ra["ok"] and rb["ok"]):
                        solo_ok = False
                        v.append(
                            "pair [{},{}]: gold patches apply {} but tests fail: f{} {}, f{} {}\n{}".format(
                                a, b, how, a, short(ra), b, short(rb), tail((ra if not ra["ok"] else rb)["output"])
                            )
                        )
            else:
                # Rule (2): they do not both apply; combined.patch (without tests) must pass both.
                solo_ok = combined_ok[a] and combined_ok[b]
                solo_how = "combined"
                if not solo_ok:
                    v.append("pair [{},{}]: gold patches do not both apply and combined.patch fails".format(a, b))
            coop = "-"
            coop_ok = False
            if info["merged"] is not None and info["merged"].strip():
                ca = box.run_tests(tests[a], info["merged"])
                cb = box.run_tests(tests[b], info["merged"])
                coop_ok = ca["ok"] and cb["ok"]
                coop = "pass" if coop_ok else "fail"
            if not info["conflict"] and not coop_ok:
                v.append("pair [{},{}]: gold patches merge cleanly but the merge fails the tests".format(a, b))
            if info["apply_failed"]:
                v.append("pair [{},{}]: a gold patch does not apply to base".format(a, b))
            report["pairs"][(a, b)] = {
                "conflict": info["conflict"],
                "patch1_apply_failed": info["patch1_apply_failed"],
                "patch2_apply_failed": info["patch2_apply_failed"],
                "strategy": info["strategy"],
                "solo": solo_how,
                "solo_ok": solo_ok,
                "coop_ok": coop_ok,
            }
            lines.append(
                "    [{},{}] merge: {:8}  solo oracle: {:10} {:4}  coop oracle ({} merge): {}".format(
                    a,
                    b,
                    "CONFLICT" if info["conflict"] else "clean",
                    solo_how,
                    "PASS" if solo_ok else "FAIL",
                    info["strategy"],
                    coop,
                )
            )
    except Exception as exc:  # a broken task is a violation, not a crash of the whole run
        v.append("verification crashed: {!r}".format(exc))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        report["seconds"] = time.time() - started
    return report


def apply_on_branch(repo, sha, branch, patch_text, message):
    git_ok(repo, "checkout", "-q", "-f", "-B", branch, sha)
    git_ok(repo, "clean", "-q", "-fdx")
    path = os.path.join(repo, ".git", "verify-" + branch + ".patch")
    with open(path, "w") as f:
        f.write(patch_text)
    code, _ = git(repo, "apply", "--ignore-whitespace", path)
    if code != 0:
        code, _ = git(repo, "apply", "--3way", path)
    if code != 0:
        git_ok(repo, "reset", "-q", "--hard", sha)
    git_ok(repo, "add", "-A")
    git_ok(repo, "commit", "-q", "--allow-empty", "-m", message)
    return code == 0


def pair_merge(repo, sha, patch_a, patch_b):
    """The gold conflict check (docs/reference-compatibility.md#gold-conflicts), plus the evaluator's union fallback."""
    ok_a = apply_on_branch(repo, sha, "agent1", patch_a, "Agent 1 changes")
    ok_b = apply_on_branch(repo, sha, "agent2", patch_b, "Agent 2 changes")
    code, _ = git(repo, "merge", "agent1", "--no-commit", "--no-ff")
    conflict = code != 0
    strategy = "naive"
    merged = None
    if not conflict:
        git_ok(repo, "commit", "-q", "--allow-empty", "-m", "Temp merge")
        merged = git_diff(repo, "--binary", sha, "HEAD")
    else:
        git(repo, "merge", "--abort")
        git_ok(repo, "reset", "-q", "--hard", "agent2")
        with open(os.path.join(repo, ".gitattributes"), "a") as f:
            f.write("* merge=union\n")
        code, _ = git(repo, "merge", "agent1", "--no-commit", "--no-ff")
        strategy = "union"
        if code == 0:
            os.remove(os.path.join(repo, ".gitattributes"))
            git_ok(repo, "commit", "-q", "--allow-empty", "-m", "Temp union merge")
            merged = git_diff(repo, "--binary", sha, "HEAD")
        else:
            git(repo, "merge", "--abort")
    git_ok(repo, "checkout", "-q", "-f", "--detach", sha)
    git_ok(repo, "clean", "-q", "-fdx")
    git(repo, "branch", "-D", "agent1", "agent2")
    return {
        "conflict": conflict,
        "apply_failed": not (ok_a and ok_b),
        "patch1_apply_failed": not ok_a,
        "patch2_apply_failed": not ok_b,
        "strategy": strategy,
        "merged": merged,
    }


def git_applies(repo, sha, patch_text):
    """Does ``patch_text`` apply at ``sha`` with plain ``git apply`` (as one input)?"""
    git_ok(repo, "checkout", "-q", "-f", "--detach", sha)
    git_ok(repo, "clean", "-q", "-fdx")
    path = os.path.join(repo, ".git", "verify-concat.patch")
    with open(path, "w") as f:
        f.write(patch_text)
    code, _ = git(repo, "apply", "--check", path)
    return code == 0


def sequential_apply(repo, sha, patch_a, patch_b):
    """Both gold patches applied in sequence with plain ``git apply``: the diff, or None."""
    git_ok(repo, "checkout", "-q", "-f", "--detach", sha)
    git_ok(repo, "clean", "-q", "-fdx")
    result = None
    for i, text in enumerate((patch_a, patch_b)):
        path = os.path.join(repo, ".git", "verify-seq{}.patch".format(i))
        with open(path, "w") as f:
            f.write(text)
        code, _ = git(repo, "apply", path)
        if code != 0:
            break
    else:
        git_ok(repo, "add", "-A")
        result = git_diff(repo, "--cached", "--binary", sha)
    git_ok(repo, "reset", "-q", "--hard", sha)
    git_ok(repo, "clean", "-q", "-fdx")
    return result


def check_subsets(tasks, all_tasks_known):
    """Validate every subsets/*.json; returns (lines, violations)."""
    lines, v = [], []
    sub_dir = os.path.join(DATASET, "subsets")
    if not os.path.isdir(sub_dir):
        return lines, ["no subsets/ folder"]
    by_key = {(t.repo, t.task_id): t for t in all_tasks_known}
    for name in sorted(os.listdir(sub_dir)):
        if not name.endswith(".json"):
            continue
        try:
            data = json.load(open(os.path.join(sub_dir, name)))
        except ValueError as exc:
            v.append("subsets/{}: invalid JSON: {}".format(name, exc))
            continue
        pairs = 0
        repos = set()
        explicit = implicit = 0
        seen = set()
        for entry in data.get("tasks", []):
            key = (entry.get("repo"), entry.get("task_id"))
            if key in seen:
                v.append("subsets/{}: task {} listed twice".format(name, key))
            seen.add(key)
            task = by_key.get(key)
            if task is None:
                v.append("subsets/{}: unknown task {}".format(name, key))
                continue
            repos.add(task.repo)
            if "pairs" in entry:
                explicit += 1
                for pair in entry["pairs"]:
                    if (
                        not isinstance(pair, list)
                        or len(pair) != 2
                        or pair[0] >= pair[1]
                        or pair[0] not in task.features
                        or pair[1] not in task.features
                    ):
                        v.append("subsets/{}: bad pair {} for {}".format(name, pair, task.name))
                pairs += len(entry["pairs"])
            else:
                implicit += 1
                pairs += len(task.pairs())
        stats = data.get("stats", {})
        want = {"tasks": len(seen), "pairs": pairs, "repos": len(repos)}
        if stats != want:
            v.append("subsets/{}: stats {} but the file lists {}".format(name, stats, want))
        if data.get("name") != name[: -len(".json")]:
            v.append("subsets/{}: name is {!r}".format(name, data.get("name")))
        lines.append(
            "  subsets/{}: {} tasks ({} with explicit pairs, {} with all pairs), {} pairs, {} repos".format(
                name, len(seen), explicit, implicit, pairs, len(repos)
            )
        )
    return lines, v


def write_conflict_report(path, tasks, reports, elapsed):
    """The gold conflict report, in the reference's format (plus ``apply_failed``)."""
    per_task = {}
    conflict_pairs = []
    all_results = []
    for task, report in zip(tasks, reports):
        entry = {"total": 0, "conflicts": 0, "clean": 0, "errors": 0, "apply_failed": 0}
        for (a, b), pair in sorted(report["pairs"].items()):
            failed = pair["patch1_apply_failed"] or pair["patch2_apply_failed"]
            entry["total"] += 1
            if failed:
                entry["apply_failed"] += 1
            elif pair["conflict"]:
                entry["conflicts"] += 1
            else:
                entry["clean"] += 1
            if pair["conflict"]:
                conflict_pairs.append({"repo": task.repo, "task_id": task.task_id, "f1": a, "f2": b})
            all_results.append(
                {
                    "repo": task.repo,
                    "task_id": task.task_id,
                    "f1": a,
                    "f2": b,
                    "has_conflict": pair["conflict"],
                    "patch1_apply_failed": pair["patch1_apply_failed"],
                    "patch2_apply_failed": pair["patch2_apply_failed"],
                    "error": None,
                }
            )
        per_task[task.name] = entry
    total = sum(e["total"] for e in per_task.values())
    conflicts = sum(e["conflicts"] for e in per_task.values())
    summary = {
        "total_pairs": total,
        "conflicts": conflicts,
        "clean_merges": sum(e["clean"] for e in per_task.values()),
        "errors": 0,
        "apply_failed": sum(e["apply_failed"] for e in per_task.values()),
        "conflict_rate": "{:.1f}%".format(100.0 * conflicts / total) if total else "N/A",
        "elapsed_seconds": round(elapsed, 1),
    }
    data = {"summary": summary, "per_task": per_task, "conflict_pairs": conflict_pairs, "all_results": all_results}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", action="append", default=[], help="only REPO/taskN (repeatable)")
    parser.add_argument("--jobs", type=int, default=min(6, os.cpu_count() or 1))
    parser.add_argument("--no-bwrap", action="store_true", help="run a path-rewritten runner copy directly")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--write-report",
        metavar="PATH",
        help="also write the gold conflict report (the reference's report format) to PATH",
    )
    args = parser.parse_args(argv)

    use_bwrap = not args.no_bwrap and shutil.which("bwrap") is not None
    if not use_bwrap:
        print("note: running runner.sh without bubblewrap (paths rewritten to the clone)")
    all_tasks = discover(None)
    tasks = [t for t in all_tasks if not args.task or t.name in args.task]
    if not tasks:
        print("no tasks found")
        return 1
    node = shutil.which("node")
    node_version = run([node, "--version"])[1].strip() if node else "none"
    print(
        "Verifying {} task(s) in {} (python3 {}, node {}, sandbox: {})".format(
            len(tasks),
            DATASET,
            sys.version.split()[0],
            node_version,
            "bwrap" if use_bwrap else "direct",
        ),
        flush=True,
    )
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        reports = list(pool.map(lambda t: verify_task(t, use_bwrap, args.verbose), tasks))

    total_violations = 0
    total_pairs = total_conflicts = 0
    solo_pass = coop_pass = 0
    summary_rows = []
    for report in reports:
        print()
        print(
            "== {} (base {}, {} features, {} pairs, {:.1f}s)".format(
                report["task"],
                (report.get("sha") or "?")[:12],
                report["features"],
                len(report["pairs"]),
                report.get("seconds", 0),
            )
        )
        for line in report["lines"]:
            print(line)
        for problem in report["violations"]:
            print("  VIOLATION: " + problem)
        total_violations += len(report["violations"])
        n_pairs = len(report["pairs"])
        n_conf = sum(1 for p in report["pairs"].values() if p["conflict"])
        total_pairs += n_pairs
        total_conflicts += n_conf
        solo_pass += sum(1 for p in report["pairs"].values() if p["solo_ok"])
        coop_pass += sum(1 for p in report["pairs"].values() if p["coop_ok"])
        summary_rows.append((report["task"], report["features"], n_pairs, n_conf, len(report["violations"])))

    sub_lines, sub_violations = check_subsets(tasks, all_tasks)
    total_violations += len(sub_violations) if not args.task else 0

    print()
    print("=" * 78)
    print("SUMMARY")
    print("  {:<28} {:>8} {:>6} {:>10} {:>11}".format("task", "features", "pairs", "conflicts", "violations"))
    for name, feats, n_pairs, n_conf, n_viol in summary_rows:
        print("  {:<28} {:>8} {:>6} {:>10} {:>11}".format(name, feats, n_pairs, "{}/{}".format(n_conf, n_pairs), n_viol))
    repos = sorted({t.repo for t in tasks})
    rate = 100.0 * total_conflicts / total_pairs if total_pairs else 0.0
    print(
        "  repos: {}  tasks: {}  features: {}  pairs: {}".format(
            len(repos), len(tasks), sum(len(t.features) for t in tasks), total_pairs
        )
    )
    print("  gold conflicts: {}/{} ({:.1f}%), clean merges: {}".format(total_conflicts, total_pairs, rate, total_pairs - total_conflicts))
    print("  solo oracle passes: {}/{}".format(solo_pass, total_pairs))
    print("  coop oracle (naive, else union merge) passes: {}/{}  (informational)".format(coop_pass, total_pairs))
    for line in sub_lines:
        print(line)
    if not args.task:
        for problem in sub_violations:
            print("  VIOLATION: " + problem)
    print("  time: {:.1f}s".format(time.time() - started))
    if args.write_report:
        write_conflict_report(args.write_report, tasks, reports, time.time() - started)
        print("  wrote gold conflict report to {}".format(args.write_report))
    if total_violations:
        print("RESULT: FAILED ({} violation(s))".format(total_violations))
        return 1
    print("RESULT: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
