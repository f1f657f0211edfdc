"""The typed content model: the single source of truth that the site, the cards and the checks read.

Every addressable thing has an `id` ([a-z0-9-], unique in its chapter); its global address is
`chapter-id.thing-id`. Every node remembers where it was written (`at`, filled by the loader and
never by authors) so that findings can name file and line.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from sopbook.findings import Loc
from sopbook.i18n import N_
from sopbook.model import quantities as q
from sopbook.source.yaml_loader import LocDict, LocList

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN, max_length=64),
    Field(description="Stable id: lowercase letters, digits and hyphens; unique in its chapter."),
]
Ref = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)?$", max_length=130),
    Field(description="Reference to a thing by global address 'chapter.thing' (or 'thing' within the "
          "chapter)."),
]
# str_strip_whitespace makes "  " empty, so the schema asks for one visible character, not one character.
Text = Annotated[str, StringConstraints(min_length=1), WithJsonSchema({"type": "string", "pattern": r"\S"})]

# YAML writes `pending: y`, `ordered: "true"`, `low: "5"` or `day: 1.5` as easily as the right value;
# pydantic's lax mode would turn each into true, 5 or 1 without a word. Content means what it says:
# flags are true or false, counts are whole numbers, numbers are numbers.
Flag = Annotated[bool, Strict()]
Whole = Annotated[int, Strict()]
Number = Annotated[float, Strict()]

# A step and a procedure last at most a day: anything longer is a typo, and a bound keeps sums of
# minutes finite (1e308 + 1e308 is inf). Timelines span days (`day:`), so their durations may too.
MAX_MINUTES = 24 * 60
Minutes = Annotated[float, Strict(), Field(ge=0, le=MAX_MINUTES)]
# How far the day offsets of a timeline reach (day: -3650..3650), in minutes.
MAX_SPAN_MINUTES = 3651 * MAX_MINUTES
SpanMinutes = Annotated[float, Strict(), Field(ge=-MAX_SPAN_MINUTES, le=MAX_SPAN_MINUTES)]


def _as_text(value: Any) -> Any:
    # Numbers are fine where text is expected (a cell "12"), booleans never: they mean YAML guessed.
    # The loader keeps how a number was written (SourceFloat), so a cell 1.50 stays "1.50", not "1.5".
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return getattr(value, "source", None) or str(value)
    return value


Cell = Annotated[str, BeforeValidator(_as_text), WithJsonSchema({"type": ["string", "number"]})]


@dataclass(frozen=True)
class TextShortForm:
    """JSON Schema of a value that may also be written as bare text, which the loader expands
    (a paragraph in a block list, a checklist item): if it is a string, text; else the long form.
    if/then/else rather than anyOf, so an editor reports a wrong mapping against its own fields."""

    def __get_pydantic_json_schema__(self, core_schema, handler):
        return {"if": {"type": "string"}, "then": {"type": "string", "pattern": r"\S"},
                "else": handler(core_schema)}


def _validated(parser):
    def run(value: Any):
        try:
            return parser(value)
        except q.Unreadable as exc:
            # the loader says the message id in the handbook's language (model/errors.py)
            raise PydanticCustomError("sopbook_value", str(exc),
                                      {**exc.params, "message": exc.message_id}) from None

    return run


Time = Annotated[
    str,
    BeforeValidator(_validated(q.parse_time)),
    WithJsonSchema({"type": "string", "pattern": r"^\s*[0-9０-９]{1,2}[:：][0-9０-９]{2}\s*$",
                    "description": "Clock time, e.g. 9:00 or 20:30."}),
]
TargetField = Annotated[
    q.Target,
    BeforeValidator(_validated(lambda v: v if isinstance(v, q.Target) else q.parse_target(v))),
    PlainSerializer(lambda t: t.text, return_type=str),
    WithJsonSchema({"type": "string", "description": "KPI target as written: ≥9分, ≤1%, 15-20分钟"}),
]
AmountField = Annotated[
    q.Amount,
    BeforeValidator(_validated(lambda v: v if isinstance(v, q.Amount) else q.parse_amount(v))),
    PlainSerializer(lambda a: a.text, return_type=str),
    WithJsonSchema({"type": "string", "description": "Amount as written: ¥6万, ¥40, 1,500倍, 25%"}),
]


def _iso_date(value: Any) -> date:
    # YAML 1.2 has no timestamps: `revised: 2026-11-23` is text, read here as exactly YYYY-MM-DD
    # (pydantic's lax date would also take a number of seconds or a datetime).
    if isinstance(value, date):
        return value
    shown = getattr(value, "source", None) or (value if isinstance(value, str) else repr(value))
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        message = N_("{path}: expected a date like 2026-11-23, got {shown}")
        raise PydanticCustomError("sopbook_date", message, {"shown": shown, "message": message})
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        message = N_("{path}: {shown} is not a real date")
        raise PydanticCustomError("sopbook_date", message, {"shown": value, "message": message}) from None


def _not_future(value: date) -> date:
    today = date.today()
    if value > today:
        message = N_("{path}: {date} is in the future (today is {today})")
        raise PydanticCustomError("sopbook_future_date", message,
                                  {"date": value.isoformat(), "today": today.isoformat(), "message": message})
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date),
                    WithJsonSchema({"type": "string", "format": "date",
                                    "pattern": r"^\s*\d{4}-\d{2}-\d{2}\s*$"})]
DeadlineField = Annotated[
    str,
    BeforeValidator(_validated(lambda v: (q.parse_deadline_hours(v), str(v))[1])),
    Field(description="Deadline as written: 24小时内, 3天内, 7天内."),
]


class Node(BaseModel):
    """Base of every content object: unknown fields are errors, and each node knows its location."""

    # allow_inf_nan=False: `minutes: 1e400` is inf and `.nan` compares false with everything, so
    # either would pass or break the timing checks silently; a number in content is always finite.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True,
                              allow_inf_nan=False)

    at: SkipJsonSchema[Loc | None] = Field(default=None, exclude=True, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _locate(cls, data: Any) -> Any:
        # Unknown keys are left in place: extra="forbid" reports every one of them, and the
        # loader turns each into "unknown field 'x'; did you mean 'y'?" at the key's line.
        if isinstance(data, LocDict):
            if "at" in data:
                raise PydanticCustomError("reserved_field", "'at' is reserved for the loader's locations")
            located = dict(data)
            located["at"] = data.loc
            return located
        return data


def node_classes() -> list[type[Node]]:
    return [c for c in globals().values() if isinstance(c, type) and issubclass(c, Node) and c is not Node]


# ---- blocks: what a section is made of -----------------------------------------------------------
class Prose(Node):
    type: Literal["prose"] = "prose"
    label: str | None = Field(
        None, description="Lead-in label kept from the source, e.g. 核心命题, 战略洞察.")
    text: Text


class ListItem(Node):
    text: Text
    children: list[ListItem | Cell] = []


class BulletList(Node):
    type: Literal["list"] = "list"
    id: Id | None = None
    title: str | None = None
    ordered: Flag = False
    items: list[ListItem | Cell]


class Table(Node):
    type: Literal["table"] = "table"
    id: Id | None = None
    title: str | None = None
    columns: list[Cell]
    rows: list[list[Cell]]
    reconstructed: str | None = Field(
        None, description="How a table whose cells the source split across rows was rebuilt."
    )


class Quote(Node):
    type: Literal["quote"] = "quote"
    text: Text
    by: str | None = None


class Line(Node):
    speaker: str | None = None
    text: str = ""
    action: str | None = Field(None, description="Stage direction, e.g. 微笑,展示工牌.")


class TalkTrack(Node):
    type: Literal["talk"] = "talk"
    id: Id | None = None
    title: str | None = Field(None, description="The situation the lines fit, e.g. 【赞美+关怀】.")
    lines: list[Line]


class ChecklistItem(Node):
    text: Text
    note: str | None = None


def _item(value: Any) -> Any:
    # An item is text to tick: `- 1.0` is the author's text that YAML read as a number, and
    # `- 注意: 对角车轮放置轮挡` text that YAML read as a mapping (no field of an item is named so).
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    if (isinstance(value, dict) and len(value) == 1
            and not isinstance(next(iter(value.values())), (dict, list))):
        key = next(iter(value))
        if not difflib.get_close_matches(str(key), ["text", "note"], n=1, cutoff=0.6):
            raise PydanticCustomError("string_type", "Input should be a valid string")
    return {"text": value} if isinstance(value, str) else value


Item = Annotated[ChecklistItem, BeforeValidator(_item), TextShortForm()]


def _located_items(value: Any) -> Any:
    """Give an item written as a plain string its own line (a string carries none of its own)."""
    if isinstance(value, LocList):
        return [{"text": v, "at": loc} if isinstance(v, str) else v
                for v, loc in zip(value, value.item_locs, strict=True)]
    return value


Items = Annotated[list[Item], BeforeValidator(_located_items)]


class ChecklistGroup(Node):
    """A pause point: the items done or confirmed together."""

    id: Id | None = None
    title: Text
    note: str | None = None
    items: Items


class Confirmation(Node):
    label: Text = Field(
        "确认", description="Who confirms, as the source writes it before the line, e.g. 客户确认.")
    question: str | None = Field(None, description="What the staff member asks, e.g. 刹车正常了吗?")
    expected: str | None = Field(None, description="The answer or act that closes the list, e.g. 点头确认.")
    text: str | None = Field(
        None, description="A confirmation that is an act, not a question, e.g. 客户签字确认.")


class Checklist(Node):
    type: Literal["checklist"] = "checklist"
    id: Id
    title: Text
    kind: Literal["read-do", "do-confirm"] | None = None
    items: Items = []
    groups: list[ChecklistGroup] = []
    confirmation: Confirmation | None = None

    def all_items(self) -> list[ChecklistItem]:
        return [*self.items, *(i for g in self.groups for i in g.items)]


class Step(Node):
    id: Id
    title: Text
    label: str | None = Field(None, description="Step label as written, e.g. 'Step 1' or '第一步'.")
    minutes: Minutes | None = None
    deadline: DeadlineField | None = None
    actions: list[Cell] = []
    key: str | None = Field(None, description="The step's 【关键】 line.")
    blocks: Blocks = []


class Procedure(Node):
    type: Literal["procedure"] = "procedure"
    id: Id
    title: Text
    total_minutes: Minutes | None = Field(None, description="The total the source states.")
    governed_by: Ref | None = Field(None, description="KPI whose target the total must meet.")
    responds_to: Ref | None = Field(
        None,
        description="Segment this procedure answers; its first deadline must not be later than the segment's."
    )
    steps: list[Step]  # none is an error of the check, as an empty checklist is (completeness)


class Kpi(Node):
    id: Id
    name: Text
    definition: Text
    target: TargetField
    levers: list[Cell] = Field([], description="改善方向")


class KpiTable(Node):
    type: Literal["kpis"] = "kpis"
    id: Id
    title: Text
    kpis: list[Kpi]
    columns: list[Cell] = Field(
        [],
        description="The source's column headings (name, definition, target, levers), e.g. 指标, 定义, "
        "目标值, 改善方向."
    )


class Event(Node):
    title: str | None = Field(
        None, description="Sub-heading the source puts before this event, e.g. MOT 1 - 预约确认(超预期)."
    )
    day: Whole = Field(0, ge=-3650, le=3650, description="Day offset from the first day (次日 = 1).")
    day_label: str | None = Field(None, description="The day as written, e.g. 次日, Day 1.")
    time: Time | None = None
    time_label: str | None = Field(None, description="Time as written when it is not a clock time.")
    actor: str | None = None
    text: Text
    minutes: SpanMinutes | None = Field(
        None, ge=0,
        description="A duration the source states for this event (until the next one, maybe days later).")
    marks: list[Literal["booking", "departure", "arrival", "meeting", "start", "done", "leave"]] = []
    mot: Ref | None = Field(None, description="The moment of truth this event is.")
    peak: str | None = Field(None, description="Peak label as written, e.g. 【峰值1:...】.")
    blocks: Blocks = []


class Timeline(Node):
    type: Literal["timeline"] = "timeline"
    id: Id
    title: Text
    stated_total_minutes: SpanMinutes | None = Field(
        None, ge=0, description="Duration a summary table states for this timeline (first to last event)."
    )
    stated_in: str | None = Field(None, description="Where that total is stated, e.g. 数据对比表.")
    events: list[Event]


class Case(Node):
    type: Literal["case"] = "case"
    id: Id
    title: Text
    place: str | None = None
    when: str | None = None
    background: str | None = None
    blocks: Blocks = []
    results: list[Cell] = []


class Segment(Node):
    id: Id
    label: Text
    low: Whole = Field(ge=0, le=10)
    high: Whole = Field(ge=0, le=10)
    state: list[Cell] = []
    strategy: list[Cell]
    deadline: DeadlineField


class SegmentTable(Node):
    type: Literal["segments"] = "segments"
    id: Id
    title: Text
    scale: str = "0-10"
    segments: list[Segment]
    columns: list[Cell] = Field(
        [], description="The source's column headings (range and label, state, strategy, deadline), e.g. "
        "NPS区间, 客户状态, 处理策略, 行动时限."
    )
    reconstructed: str | None = Field(
        None, description="How a segment table whose cells the source split across rows was rebuilt."
    )


class FollowUp(Node):
    day: Whole = Field(ge=0, le=3650, description="Days after the start of the procedure.")
    text: Text


class FollowUps(Node):
    type: Literal["followups"] = "followups"
    id: Id | None = None
    title: str | None = None
    entries: list[FollowUp]


class Quantity(Node):
    label: Text
    value: AmountField


class Calculation(Node):
    type: Literal["calculation"] = "calculation"
    id: Id
    title: Text
    op: Literal["sum", "product", "divide", "difference"]
    inputs: list[Quantity] = Field(min_length=1)
    result: AmountField
    result_label: str | None = None
    tolerance: Number = Field(0.01, ge=0, le=1, description="Relative tolerance for rounding in the source.")


class TimingWindow(Node):
    anchor: Literal["booking", "departure", "arrival", "meeting", "start", "done", "leave"]
    start: SpanMinutes = Field(
        description="Minutes relative to the anchor the moment may begin (negative: before).")
    end: SpanMinutes = Field(description="Minutes relative to the anchor the moment must begin by.")


class Mot(Node):
    id: Id
    number: Whole = Field(ge=0, le=999)
    title: Text
    timing: Text = Field(description="Timing rule as written, e.g. 客户提交预约后5分钟内.")
    window: TimingWindow | None = None
    expectation: Text
    design: list[Cell]
    pain_points: list[Cell]
    emphasis: str | None = None

    @property
    def type(self) -> str:
        # Not a block (it lives inside a `mots` set), but a card may print one MOT on its own,
        # and cards render through macros/blocks/<type>.html.
        return "mot"


class MotSet(Node):
    type: Literal["mots"] = "mots"
    id: Id
    title: Text
    mots: list[Mot]


class Pending(Node):
    """A heading whose body the source leaves empty: kept verbatim, never filled in."""

    type: Literal["pending"] = "pending"
    id: Id | None = None
    title: Text
    note: str | None = None


Block = Annotated[
    Prose | BulletList | Table | Quote | TalkTrack | Checklist | Procedure | KpiTable | Timeline
    | Case | SegmentTable | FollowUps | Calculation | MotSet | Pending,
    Field(discriminator="type"),
    TextShortForm(),
]


def _prose_shorthand(value: Any) -> Any:
    # A bare string in a block list is a paragraph: the commonest block reads as plain YAML.
    if isinstance(value, LocList):
        return [{"type": "prose", "text": v, "at": loc} if isinstance(v, str) else v
                for v, loc in zip(value, value.item_locs, strict=True)]
    if isinstance(value, list):
        return [{"type": "prose", "text": v} if isinstance(v, str) else v for v in value]
    return value


def _no_scalar_block(value: Any) -> Any:
    # `- 2024` or `- true` in a block list is a paragraph YAML read as a number or true/false.
    if isinstance(value, (bool, int, float)):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    return value


Blocks = Annotated[list[Annotated[Block, BeforeValidator(_no_scalar_block)]],
                   BeforeValidator(_prose_shorthand)]


class Section(Node):
    id: Id
    title: Text
    pending: Flag = Field(False, description="The source has this heading but no body: nothing invented.")
    count: Flag = Field(True, description="Check the count the title claims (三大, 六步) "
                        "against what is listed.")
    blocks: Blocks = []
    sections: list[Section] = []


class Acknowledgement(Node):
    code: Text = Field(description="Finding code, e.g. timings.timeline-total.")
    address: Ref = Field(description="Id of the thing the finding is about.")
    reason: Text


class Chapter(Node):
    id: Id
    title: Text
    day: str | None = Field(None, description="Course day as written, e.g. 18.5 or 19.")
    module: Whole | None = Field(None, ge=0, le=999)
    lead: Prose | None = None
    sections: list[Section]
    next: Ref | None = Field(None, description="Id of the chapter (written or planned) this one points to.")
    next_text: str | None = Field(None, description="The source's 'next chapter' line verbatim.")
    acknowledged: list[Acknowledgement] = []


class SyllabusEntry(Node):
    id: Id
    planned: Flag = False
    title: str | None = Field(None, description="Required for planned chapters; written ones use their own.")
    day: str | None = None
    module: Whole | None = Field(None, ge=0, le=999)
    note: str | None = None


class CardLint(Node):
    """Thresholds of the checklist-design lint (Boorman; WHO Surgical Safety Checklist)."""

    max_items_per_pause: Whole = Field(9, ge=1, le=1000, description="Items in one pause point (group).")
    max_item_chars: Whole = Field(30, ge=5, le=10000, description="Characters in one checklist item.")


class Handbook(Node):
    title: Text
    subtitle: str | None = None
    version: Text
    revised: Annotated[IsoDate, AfterValidator(_not_future)] = Field(
        description="Date of the last revision, YYYY-MM-DD; printed on every card, "
        "so never later than today.")
    syllabus: list[SyllabusEntry]
    lint: CardLint = CardLint()
    language: str | None = Field(None, description="Language of what sopbook says in messages, pages and "
                                 "cards (zh, en); default: mkdocs.yml theme.language. "
                                 "`sopbook --lang` overrides it.")


class Card(Node):
    id: Id
    title: str | None = None
    source: Ref = Field(description="Global id of the checklist, procedure, segment table... on the front; "
                                    "the card's own page (where its QR code points) links its web section.")
    kind: Literal["read-do", "do-confirm"] | None = None
    format: Literal["a6"] = "a6"
    front: list[Ref] = Field([], description="Parts of the source printed on the front instead of all of it "
                                             "(e.g. MOT 1-3 of the five), "
                                             "when the whole does not fit one side.")
    back: list[Ref] = Field([], description="Global ids rendered on the back.")


class CardFile(Node):
    cards: list[Card]


for _model in list(globals().values()):
    if isinstance(_model, type) and issubclass(_model, Node):
        _model.model_rebuild()
