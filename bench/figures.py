"""A benchmark's figures, each against its target, in one form for bench/run_all.py.

A benchmark prints its own report for people, and calls `figure` for each figure that has a
target (or is worth keeping an eye on): a line that starts with MARK and holds the figure as
JSON, which run_all.py gathers into its table.
"""

import json

MARK = "bench-figure "
RULES = {"under": lambda value, target: value < target,
         "at most": lambda value, target: value <= target,
         "at least": lambda value, target: value >= target}


def figure(name, value, unit, target=None, rule="under"):
    """Report `value` (in `unit`) against `target` by `rule` (under, at most, at least)."""
    print(MARK + json.dumps({"name": name, "value": round(value, 3), "unit": unit, "target": target,
                             "rule": rule}), flush=True)


def met(found):
    """True or False for a figure with a target; None for one without."""
    return None if found["target"] is None else RULES[found["rule"]](found["value"], found["target"])
