#!/usr/bin/env python3
"""Checks the workspace's `rust-version` against what the locked dependencies declare.

Fails when a locked package needs a newer Rust than the workspace says, or when the installed
toolchain is older than the declared MSRV; our own code's use of newer std APIs is caught by
clippy's `incompatible_msrv` lint, which reads the same `rust-version`. Only one toolchain can be installed here, so the MSRV
is checked from `cargo metadata` rather than by building with an older compiler.
"""
import json
import subprocess
import sys


def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple((parts + [0, 0, 0])[:3])


def main():
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True, capture_output=True, text=True,
        ).stdout
    )
    members = set(meta["workspace_members"])
    resolved = {node["id"] for node in meta["resolve"]["nodes"]}
    declared = {p["rust_version"] for p in meta["packages"] if p["id"] in members}
    if len(declared) != 1 or None in declared:
        sys.exit(f"check-msrv: workspace members declare {sorted(map(str, declared))}, want one rust-version")
    declared = declared.pop()
    needs = [
        (version(p["rust_version"]), p["name"], p["version"])
        for p in meta["packages"]
        if p["id"] in resolved and p["id"] not in members and p.get("rust_version")
    ]
    needed, name, ver = max(needs)
    rustc = subprocess.run(["rustc", "--version"], check=True, capture_output=True, text=True).stdout
    installed = version(rustc.split()[1].split("-")[0])
    shown = ".".join(map(str, needed[:2]))
    print(f"check-msrv: declared {declared}, locked dependencies need {shown} ({name} {ver}), rustc {rustc.split()[1]}")
    if version(declared) < needed:
        sys.exit(f"check-msrv: rust-version {declared} is below {shown}, which {name} {ver} needs")
    if version(declared) > needed:
        print(f"check-msrv: note: rust-version {declared} is above what the dependencies need ({shown});"
              " clippy's incompatible_msrv lint checks that our own code needs no more than declared")
    if installed < version(declared):
        sys.exit(f"check-msrv: the installed rustc is older than rust-version {declared}")


if __name__ == "__main__":
    main()
