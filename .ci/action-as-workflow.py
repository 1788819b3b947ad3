"""Prints action.yml's composite steps as a workflow, so actionlint (which
lints workflows, not action metadata) checks the steps' expressions, the
`uses:` inputs and, through shellcheck, every `run:` script.

    python3 .ci/action-as-workflow.py action.yml | actionlint -stdin-filename action.yml -

Inputs become `workflow_dispatch` inputs (same `inputs.*` context) and the
action's outputs become job outputs (same `steps.*` references).
"""
import sys

import yaml


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    runs = action["runs"]
    if runs.get("using") != "composite":
        sys.exit(f"{path}: not a composite action")
    inputs = {
        name: {
            "description": spec.get("description", name),
            "required": bool(spec.get("required", False)),
            "type": "string",
            # Action input defaults may use `${{ github.* }}`; dispatch inputs may not.
            "default": str(spec.get("default", "")).replace("${{", "{{"),
        }
        for name, spec in (action.get("inputs") or {}).items()
    }
    outputs = {n: o["value"] for n, o in (action.get("outputs") or {}).items()}
    workflow = {
        "name": action.get("name", path),
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "jobs": {
            "action": {
                "runs-on": "ubuntu-latest",
                "outputs": outputs,
                "env": {"GITHUB_ACTION_PATH": "${{ github.action_path }}"},
                "steps": runs["steps"],
            }
        },
    }
    yaml.safe_dump(workflow, sys.stdout, sort_keys=False, width=1000)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "action.yml")
