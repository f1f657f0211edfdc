"""Parse the numbers that SOP text states: clock times, KPI targets, money and counts, deadlines.

Each parser takes the source's own wording ("≥9分", "15-20分钟", "¥6万", "24小时内") and returns a
value the checks can compare, keeping the original text for display. Full-width digits and
colons (９：００) are normalised first because Chinese input methods produce them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sopbook.i18n import N_, SOURCE_LANGUAGE, say

CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}


class Unreadable(ValueError):
    """A value the source's wording does not give. The loader reports it after the field's YAML
    path, so each message id starts with `{path}: `; `params` fill the rest."""

    def __init__(self, message: str, **params: object):
        self.message_id, self.params = message, params
        super().__init__(say(message, SOURCE_LANGUAGE, {"path": "", **params}).removeprefix(": "))


def normalise(text: str) -> str:
    """NFKC turns full-width digits, colons, percent and tilde into ASCII; keep ¥ and Chinese."""
    return unicodedata.normalize("NFKC", text).strip()


def chinese_number(text: str) -> int | None:
    """三 -> 3, 十二 -> 12, 二十 -> 20, 15 -> 15; None when it is not a number."""
    text = normalise(text)
    if text.isdigit():
        return int(text)
    if not text or any(c not in CN_DIGITS and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)
    if len(text) == 1:
        return CN_DIGITS[text]
    return None


# ---- clock times ---------------------------------------------------------------------------
_TIME = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})$")


def parse_time(value: object) -> str:
    """'9:00', '09:00', '９：００' -> '09:00'. Raises Unreadable with a reason otherwise."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        shown = getattr(value, "source", None) or repr(value)  # 9.00 as written, not 9.0
        raise Unreadable(N_("{path}: expected a time like 9:00, got {shown}; write it as HH:MM"), shown=shown)
    if isinstance(value, int):
        raise Unreadable(N_("{path}: expected a time like 9:00, got the number {number}; write it as HH:MM"),
                         number=getattr(value, "source", value))
    text = normalise(value)
    match = _TIME.match(text)
    if not match:
        raise Unreadable(N_("{path}: expected a time like 9:00 or 20:30, got '{time}'"), time=value)
    hour, minute = int(match["h"]), int(match["m"])
    if hour > 23 or minute > 59:
        raise Unreadable(N_("{path}: '{time}' is not a time of day (hours 0-23, minutes 0-59)"), time=value)
    return f"{hour:02d}:{minute:02d}"


def minutes_of_day(hhmm: str) -> int:
    hour, minute = hhmm.split(":")
    return int(hour) * 60 + int(minute)


# ---- KPI targets -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    text: str
    op: str  # ">=", "<=", "range", "="
    low: float | None
    high: float | None
    unit: str

    def contains(self, value: float) -> bool:
        if self.low is not None and value < self.low:
            return False
        return not (self.high is not None and value > self.high)


_NUM = r"\d+(?:\.\d+)?"
_TARGET = re.compile(
    rf"^(?:(?P<op>>=|<=|≥|≤|>|<)\s*(?P<v>{_NUM})|(?P<lo>{_NUM})\s*[-~–—至到]\s*(?P<hi>{_NUM})|(?P<eq>{_NUM}))\s*(?P<unit>\S*)$"
)


def parse_target(text: str) -> Target:
    raw = str(text)
    match = _TARGET.match(normalise(raw).replace("≥", ">=").replace("≤", "<="))
    if not match:
        raise Unreadable(N_("{path}: cannot read target '{target}'; "
                            "write it like ≥9分, ≤1%, 15-20分钟 or 10-15%"), target=raw)
    unit = match["unit"]
    if match["op"]:
        value = float(match["v"])
        if match["op"] in (">=", ">"):
            return Target(raw, ">=", value, None, unit)
        return Target(raw, "<=", None, value, unit)
    if match["lo"]:
        low, high = float(match["lo"]), float(match["hi"])
        if low > high:
            raise Unreadable(N_("{path}: target '{target}' has its range backwards ({low} > {high})"),
                             target=raw, low=match["lo"], high=match["hi"])
        return Target(raw, "range", low, high, unit)
    value = float(match["eq"])
    return Target(raw, "=", value, value, unit)


# ---- amounts: money, counts, multiples ---------------------------------------------------------
@dataclass(frozen=True)
class Amount:
    text: str
    value: Decimal
    unit: str  # "¥", "倍", "%", "人", "" ...


_AMOUNT = re.compile(r"^(?P<cur>[¥￥$])?\s*(?P<num>\d[\d,]*(?:\.\d+)?)"
                     r"\s*(?P<scale>[万亿千]?)\s*(?P<unit>.*)$")
_SCALE = {"": 1, "千": 1_000, "万": 10_000, "亿": 100_000_000}


def parse_amount(value: object) -> Amount:
    if isinstance(value, bool):
        raise Unreadable(N_("{path}: expected an amount like ¥6万 or 1,500倍, got {flag}"), flag=repr(value))
    raw = str(value)
    match = _AMOUNT.match(normalise(raw).replace("¥", "¥"))
    if not match:
        raise Unreadable(N_("{path}: cannot read amount '{amount}'; write it like ¥6万, ¥40, 1,500倍 or 25%"),
                         amount=raw)
    try:
        number = Decimal(match["num"].replace(",", "")) * _SCALE[match["scale"]]
    except InvalidOperation as exc:
        raise Unreadable(N_("{path}: cannot read amount '{amount}'"), amount=raw) from exc
    unit = "¥" if match["cur"] else match["unit"].strip()
    return Amount(raw, number, unit)


# ---- deadlines ---------------------------------------------------------------------------------
# At most nine digits: a longer number is no deadline, and converting it to hours would overflow.
_DEADLINE = re.compile(r"^(?P<n>\d{1,9})\s*(?P<unit>分钟|小时|天|日|周)(?:内|以内)?$")
_HOURS = {"分钟": 1 / 60, "小时": 1, "天": 24, "日": 24, "周": 168}


def parse_deadline_hours(text: str) -> float:
    """'24小时内' -> 24.0, '7天内' -> 168.0."""
    match = _DEADLINE.match(normalise(str(text)))
    if not match:
        raise Unreadable(N_("{path}: cannot read deadline '{deadline}'; write it like 24小时内 or 7天内"),
                         deadline=text)
    return int(match["n"]) * _HOURS[match["unit"]]


# ---- claimed counts in headings ---------------------------------------------------------------
_CLAIM = re.compile(r"(?<![第\d一二两三四五六七八九十])([二两三四五六七八九十]|\d+)"
                    r"(?=(?:大|个|步|项|条|种|招|层次|重))")


def claimed_count(title: str) -> int | None:
    """The count a heading promises: '六大招式' -> 6, '四步法' -> 4, '三个层次' -> 3."""
    match = _CLAIM.search(title)
    return chinese_number(match.group(1)) if match else None
