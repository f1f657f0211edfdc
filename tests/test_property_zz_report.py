"""Runs last among the property tests: prints how many inputs they tried (see `pytest -s`).

Not a check of its own: it reports the counts (inputs tried, crashes found, fixed).
"""
from __future__ import annotations

from test_property_loader import INPUTS


def test_report_how_many_inputs_the_properties_tried(capsys):
    tried = {k: v for k, v in INPUTS.items() if ":" not in k}
    outcomes = {k: v for k, v in INPUTS.items() if ":" in k}
    with capsys.disabled():
        print(f"\nproperty inputs tried: {sum(tried.values())} {dict(sorted(tried.items()))}")
        if outcomes:
            print(f"outcomes of the edited inputs: {dict(sorted(outcomes.items()))}")
