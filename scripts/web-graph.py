#!/usr/bin/env python3
"""Prints which parts of `src/web` import which, and any circle among them.

    scripts/web-graph.py [REPO]

A part is a direct child of `web` (`api`, `pages`, `read`, `respond`, `guard`, ...).
Paths are read from the source (`crate::web::x`, `super::x`, `use super::{a, b}`),
resolved from each file's own module, test modules left out. Runs on any checkout,
without building it, so a graph can be compared across commits.
"""
import os
import re
import sys

repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
web = os.path.join(repo, "src", "web")


def module_of(path):
    rel = os.path.relpath(path, os.path.join(repo, "src"))[:-3].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    return rel


def without_tests(text):
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


PATH = re.compile(r"\b(crate|super)((?:::(?:super|self|[A-Za-z_][A-Za-z0-9_]*))*)(::\{([^}]*)\})?")


def paths(text, module):
    # A file's items live in its module; `super` is its parent (`mod.rs` is the module).
    for m in PATH.finditer(text):
        head, rest, group = m.group(1), m.group(2), m.group(4)
        parts = [p for p in rest.split("::") if p]
        if head == "crate":
            base = []
        else:
            base = module[:-1]
            while parts and parts[0] == "super":
                base = base[:-1]
                parts = parts[1:]
        tails = [parts]
        if group is not None:
            tails = [parts + [g.strip().split("::")[0].split(" ")[0]] for g in group.split(",") if g.strip()]
        for t in tails:
            yield base + [p for p in t if p != "self"]


def part_of(module):
    return module[1] if len(module) > 1 and module[0] == "web" else None


edges = {}
for root, _, files in os.walk(web):
    for f in files:
        if not f.endswith(".rs"):
            continue
        path = os.path.join(root, f)
        module = module_of(path)
        src = part_of(module)
        if src is None:
            continue
        text = without_tests(open(path, encoding="utf-8").read())
        # Comments (doc links included) are no imports.
        text = re.sub(r"//[^\n]*", "", text)
        for p in paths(text, module):
            dst = part_of(p)
            if dst and dst != src and os.path.exists(os.path.join(web, dst)) or (
                dst and os.path.exists(os.path.join(web, f"{dst}.rs")) and dst != src
            ):
                edges.setdefault(src, set()).add(dst)

for src in sorted(edges):
    print(f"web::{src} -> " + ", ".join(f"web::{d}" for d in sorted(edges[src])))


def cycles():
    found, state = [], {}

    def visit(n, stack):
        state[n] = 1
        stack.append(n)
        for d in sorted(edges.get(n, ())):
            if state.get(d) == 1:
                found.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d, stack)
        stack.pop()
        state[n] = 2

    for n in sorted(edges):
        if n not in state:
            visit(n, [])
    return found


circles = cycles()
if circles:
    print()
    for c in circles:
        print("circle: " + " -> ".join(f"web::{n}" for n in c))
    sys.exit(1)
print("\nno circle")
