"""Rewrites the few Python 3.12-only constructs of the OpenHands SDK checkout in place, so it runs
on the Python 3.11 this machine has: PEP 695 type parameters (`class C[T]`, `def f[**P, R]`), `type X = ...`
aliases and PEP 701 multi-line f-string replacement fields. Usage: backport_py311.py <checkout>."""
import ast
import re
import sys
from pathlib import Path

HEADER = "from typing import Generic as _BpGeneric, TypeVar as _BpTypeVar, ParamSpec as _BpParamSpec\n"
DEF = re.compile(r"^(?P<indent>\s*)(?P<kw>class|def|async def) (?P<name>\w+)\[(?P<params>[^\]]*(?:\[[^\]]*\][^\]]*)*)\](?P<rest>[(:].*)$")


def split_top_level(params: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in params:
        depth += ch in "[(" and 1 or (ch in "])" and -1 or 0)
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def typevars(params: str) -> tuple[list[str], list[str]]:
    lines, names = [], []
    for raw in [p.strip() for p in split_top_level(params) if p.strip()]:
        if raw.startswith("**"):
            names.append(raw[2:])
            lines.append(f'{raw[2:]} = _BpParamSpec("{raw[2:]}")')
            continue
        name, _, bound = raw.partition(":")
        name = name.strip()
        names.append(name)
        lines.append(f'{name} = _BpTypeVar("{name}"' + (f', bound="{bound.strip()}")' if bound else ")"))
    return lines, names


def backport(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        m = DEF.match(line)
        if m:
            lines, names = typevars(m["params"])
            indent = m["indent"]
            at = len(out)
            while at > 0 and out[at - 1].lstrip().startswith("@"):  # before the decorators
                at -= 1
            out[at:at] = [f"{indent}{tv}\n" for tv in lines]
            rest = m["rest"]
            if m["kw"] == "class":
                generic = f"_BpGeneric[{', '.join(n for n in names)}]"
                if rest.startswith(":"):
                    rest = f"({generic}){rest}"
                elif rest.startswith("()"):
                    rest = f"({generic}){rest[2:]}"
                else:
                    rest = re.sub(r"\):\s*$", f", {generic}):", rest, count=1)
            out.append(f"{indent}{m['kw']} {m['name']}{rest}\n")
            continue
        out.append(re.sub(r"^(\s*)type (\w+) =", r"\1\2 =", line))
    result = "".join(out)
    # PEP 701: a replacement field spanning lines inside a single-quoted f-string.
    result = result.replace('return f"{self._dir}/{\n            EVENT_FILE_PATTERN.format(\n                idx=idx, event_id=event_id or self._idx_to_id[idx]\n            )\n        }"',
                            'return f"{self._dir}/" + EVENT_FILE_PATTERN.format(idx=idx, event_id=event_id or self._idx_to_id[idx])')
    if result != text:
        # After a leading docstring and __future__ imports, which must stay first.
        lines = result.splitlines(keepends=True)
        at = 0
        for i, l in enumerate(lines):
            if l.startswith("from __future__"):
                at = i + 1
        if at == 0:
            try:
                mod = ast.parse(result)
                if mod.body and isinstance(mod.body[0], ast.Expr) and isinstance(getattr(mod.body[0], "value", None), ast.Constant):
                    at = mod.body[0].end_lineno
            except SyntaxError:
                pass
        lines.insert(at, HEADER)
        result = "".join(lines)
    return result


def main(root: str) -> None:
    for path in (p for pkg in Path(root).glob("openhands-*/openhands") for p in pkg.rglob("*.py")):
        text = path.read_text()
        try:
            ast.parse(text)
            continue
        except SyntaxError:
            pass
        path.write_text(backport(text))
        ast.parse(path.read_text())  # fails loudly when a construct is not handled
        print(f"backported {path}")


if __name__ == "__main__":
    main(sys.argv[1])
