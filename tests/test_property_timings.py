"""Property-based tests (hypothesis) for the timing arithmetic: clock times, step sums, timelines
across days, KPI ranges and deadlines give the right answer for every input, not just the examples.
"""
from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sopbook.checks import run_checks
from sopbook.checks._util import fmt_clock as said_clock
from sopbook.checks.timings import MINUTES_PER_DAY
from sopbook.i18n import say
from sopbook.model.project import load_project
from sopbook.model.quantities import minutes_of_day, parse_deadline_hours, parse_target, parse_time

from projects import write_project
from test_property_loader import INPUTS

BOUNDED = settings(max_examples=200, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow])
FULL_WIDTH = str.maketrans("0123456789:", "０１２３４５６７８９：")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_project(tmp_path_factory.mktemp("timings"))


def _codes(root, blocks: str) -> list:
    (root / "content" / "ch.yml").write_text(
        "id: ch\ntitle: 时间\nsections:\n  - id: s\n    title: 小节\n    blocks:\n"
        + textwrap.indent(textwrap.dedent(blocks), " " * 6), encoding="utf-8")
    return [f for f in run_checks(load_project(root)) if f.code.startswith("timings.")]


@BOUNDED
@given(h=st.integers(0, 23), m=st.integers(0, 59), pad=st.booleans(), full_width=st.booleans(),
       colon=st.sampled_from([":", "："]))
def test_every_clock_time_parses_to_hh_mm(h, m, pad, full_width, colon):
    INPUTS["time text"] += 1
    written = (f"{h:02d}" if pad else str(h)) + colon + f"{m:02d}"
    if full_width:
        written = written.translate(FULL_WIDTH)
    assert parse_time(written) == f"{h:02d}:{m:02d}"
    assert minutes_of_day(parse_time(written)) == h * 60 + m


@BOUNDED
@given(h=st.integers(0, 99), m=st.integers(0, 99))
def test_impossible_times_are_refused_not_wrapped(h, m):
    INPUTS["time text"] += 1
    assume(h > 23 or m > 59)
    with pytest.raises(ValueError, match="is not a time of day"):
        parse_time(f"{h}:{m:02d}")


def fmt_clock(minute: int, lang: str = "en") -> str:
    """A timeline clock as a finding says it."""
    return say("{clock}", lang, {"clock": said_clock(minute)})


@BOUNDED
@given(minute=st.integers(0, 30 * MINUTES_PER_DAY - 1))
def test_fmt_clock_names_the_day_and_time(minute):
    INPUTS["clock minute"] += 1
    day, rest = divmod(minute, MINUTES_PER_DAY)
    clock = f"{rest // 60:02d}:{rest % 60:02d}"
    assert fmt_clock(minute) == (f"{clock} (day +{day})" if day else clock)


# steps in half minutes: the sums are exact in binary floating point too
half_minutes = st.integers(0, 120).map(lambda n: n / 2)


@BOUNDED
@given(steps=st.lists(half_minutes, min_size=1, max_size=8), off_by=st.sampled_from([0, 0, 0.5, -1, 3]))
def test_step_sum_error_exactly_when_the_steps_do_not_add_up(root, steps, off_by):
    INPUTS["procedure"] += 1
    total = sum(steps) + off_by
    assume(total >= 0)
    step_yaml = "\n".join(f"    - {{id: s{n}, title: 第{n}步, minutes: {m}}}" for n, m in enumerate(steps))
    found = _codes(root, f"- type: procedure\n  id: p\n  title: "
                   f"流程\n  total_minutes: {total}\n  steps:\n{step_yaml}\n")
    step_sum = [f for f in found if f.code == "timings.step-sum"]
    if off_by:
        (f,) = step_sum
        assert f"steps sum to {sum(steps):g} minutes" in f.message.replace(",", "")
        assert f.loc.line == 7  # the procedure, where the editor fixes it
    else:
        assert step_sum == []


@st.composite
def timeline_events(draw):
    """Events in time order over up to three days, each with its stated duration to the next one."""
    minutes = sorted(draw(st.lists(st.integers(0, 3 * MINUTES_PER_DAY - 1), min_size=2, max_size=8)))
    events = []
    for n, minute in enumerate(minutes):
        day, rest = divmod(minute, MINUTES_PER_DAY)
        event = {"day": day, "time": f"{rest // 60}:{rest % 60:02d}", "text": f"事件{n}"}
        if n + 1 < len(minutes):
            event["minutes"] = minutes[n + 1] - minute
        events.append(event)
    return minutes, events


def _timeline_yaml(events, stated_total=None) -> str:
    lines = ["- type: timeline", "  id: t", "  title: 一天", "  events:"]
    if stated_total is not None:
        lines.insert(3, f"  stated_total_minutes: {stated_total}")
    for e in events:
        fields = ", ".join(f"{k}: {v}" for k, v in e.items())
        lines.append(f"    - {{{fields}}}")
    return "\n".join(lines) + "\n"


@BOUNDED
@given(data=timeline_events())
def test_a_consistent_timeline_is_silent(root, data):
    INPUTS["timeline"] += 1
    minutes, events = data
    assert _codes(root, _timeline_yaml(events, stated_total=minutes[-1] - minutes[0])) == []


@BOUNDED
@given(data=timeline_events(), stated_off=st.integers(-30, 30).filter(bool))
def test_a_stated_total_that_disagrees_names_the_real_span(root, data, stated_off):
    INPUTS["timeline"] += 1
    minutes, events = data
    span = minutes[-1] - minutes[0]
    assume(span + stated_off >= 0)
    (f,) = _codes(root, _timeline_yaml(events, stated_total=span + stated_off))
    assert f.code == "timings.timeline-total"
    assert f"runs {span} minutes ({fmt_clock(minutes[0])}–{fmt_clock(minutes[-1])})" in f.message


@BOUNDED
@given(data=timeline_events(), pick=st.data())
def test_a_timeline_running_backwards_is_found_where_it_turns(root, data, pick):
    INPUTS["timeline"] += 1
    minutes, events = data
    i = pick.draw(st.integers(0, len(events) - 2))
    assume(minutes[i] != minutes[i + 1])
    events = [{k: v for k, v in e.items() if k != "minutes"} for e in events]
    events[i], events[i + 1] = events[i + 1], events[i]
    found = _codes(root, _timeline_yaml(events))
    assert [f.code for f in found] == ["timings.timeline-order"]
    assert found[0].loc.line == 11 + i + 1  # the event listed out of order (events start on line 11)


@BOUNDED
@given(data=timeline_events(), pick=st.data(), wrong_by=st.integers(1, 10))
def test_a_stated_duration_is_checked_against_the_next_event(root, data, pick, wrong_by):
    INPUTS["timeline"] += 1
    minutes, events = data
    i = pick.draw(st.integers(0, len(events) - 2))
    events[i]["minutes"] += wrong_by
    (f,) = _codes(root, _timeline_yaml(events))
    assert f.code == "timings.event-duration"
    assert f"follows {minutes[i + 1] - minutes[i]} minutes later" in f.message


@BOUNDED
@given(lo=st.integers(0, 100), width=st.integers(0, 50), value=st.integers(0, 200),
       dash=st.sampled_from(["-", "~", "–", "至", "到", "－"]), full_width=st.booleans())
def test_range_targets_contain_exactly_their_range(lo, width, value, dash, full_width):
    INPUTS["target"] += 1
    written = f"{lo}{dash}{lo + width}分钟"
    if full_width:
        written = written.translate(FULL_WIDTH)
    target = parse_target(written)
    assert (target.low, target.high, target.unit) == (lo, lo + width, "分钟")
    assert target.contains(value) == (lo <= value <= lo + width)


@BOUNDED
@given(n=st.integers(0, 1000), unit=st.sampled_from([("小时", 1), ("天", 24), ("日", 24), ("周", 168)]),
       suffix=st.sampled_from(["", "内", "以内"]), full_width=st.booleans())
def test_deadlines_in_hours(n, unit, suffix, full_width):
    INPUTS["deadline"] += 1
    written = f"{n}{unit[0]}{suffix}"
    if full_width:
        written = written.translate(FULL_WIDTH)
    assert parse_deadline_hours(written) == n * unit[1]
