"""pydantic's validation errors as findings an author can act on: file:line:col of the YAML the
error is about, the YAML path, what was expected in words, and how to write it.

pydantic reports an error at a `loc`, the path it took through the data ('sections', 0,
'blocks', 2, 'minutes'), with the names of the union members it tried in between. `_steps` walks
a loc through the document once; every question about where an error is asks it.

Each error is said by its type, in sopbook's own message ids (English, with a Chinese
translation in the catalogs): pydantic's English never reaches an editor, and the model's
validators (model/nodes.py, model/quantities.py) pass their message id in the error's context.
"""
from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, cast

from pydantic import ValidationError

from sopbook.findings import Finding, Loc
from sopbook.i18n import N_, SOURCE_LANGUAGE, say
from sopbook.source.yaml_loader import LocDict, LocList

_ABSENT = object()  # a part of loc that is no key or item of the document: a union member's name


def _steps(data: Any, loc: tuple) -> Iterator[tuple[int, Any, Any, Any]]:
    """For each part of pydantic's loc: (index in loc, part, the node it is looked up in, the node it
    leads to). A part the document does not have leads to _ABSENT and the walk stays where it was."""
    node = data
    for n, part in enumerate(loc):
        in_mapping = isinstance(node, dict) and part in node
        if in_mapping or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            child = node[part]
        else:
            yield n, part, node, _ABSENT
            continue
        yield n, part, node, child
        node = child


def _locate(data: Any, loc: tuple, display: str) -> Loc:
    """Map pydantic's error loc (('sections', 0, 'blocks', 2, 'minutes')) to the deepest YAML node."""
    best = getattr(data, "loc", Loc(display))
    for _, part, parent, child in _steps(data, loc):
        if child is _ABSENT:
            continue  # union tags like 'procedure', 'function-after[...]' do not move us
        if isinstance(parent, LocDict):
            best = getattr(child, "loc", parent.key_locs.get(part, best))
        elif isinstance(parent, LocList):
            best = parent.item_locs[part]
    return best


def _path_text(data: Any, loc: tuple, key_error: bool = False) -> str:
    """pydantic's loc as a YAML path, keeping only the parts that exist in the document
    (union tags and validator names in loc are not keys the author wrote)."""
    parts: list[str] = []
    for n, part, parent, child in _steps(data, loc):
        if child is not _ABSENT and isinstance(parent, list):
            parts.append(f"[{part}]")
        elif child is not _ABSENT or (key_error and n == len(loc) - 1 and isinstance(parent, dict)):
            parts.append(("." if parts else "") + _visible(str(part)))  # last: a missing or unknown key
    return "".join(parts)


def _first_tag(data: Any, err: dict) -> int | None:
    """Index in err's loc of the first part that is not in the document: the name of a union
    member ('ListItem', 'function-before[...]', a block's type) that pydantic tried."""
    loc = err["loc"]
    for n, _, _, child in _steps(data, loc):
        if child is _ABSENT:
            return None if n == len(loc) - 1 and _is_key_error(err) else n
    return None


def _document_steps(data: Any, loc: tuple) -> Iterator[tuple[tuple, Any, tuple]]:
    """At each list item on pydantic's loc: its document path (union tags dropped), the item, and
    the loc up to it (tags kept, so the union arms above it are still told apart)."""
    path: tuple = ()
    for n, part, parent, child in _steps(data, loc):
        if child is not _ABSENT:
            path += (part,)
            if isinstance(parent, list):
                yield path, child, loc[:n + 1]


def _holder(data: Any, loc: tuple) -> Any:
    """The raw mapping that contains the last element of loc."""
    node = data
    for _, _, _, child in _steps(data, loc[:-1]):
        if child is not _ABSENT:
            node = child
    return node


def _visible(text: str) -> str:
    """Invisible characters (BOM, NBSP, zero-width space) escaped, so a path shows where they are."""
    return "".join(c if c == " " or unicodedata.category(c) not in ("Cf", "Cc", "Zs", "Zl", "Zp")
                   else f"\\u{ord(c):04x}" for c in text)


def _is_key_error(err: dict) -> bool:
    return err["type"] in ("missing", "extra_forbidden")


# The kind of value each of pydantic's type errors wanted (a key of _EXPECTED).
_WANTED = {
    "string_type": "text", "list_type": "list", "dict_type": "mapping",
    "model_type": "mapping", "model_attributes_type": "mapping",
    "float_type": "number", "float_parsing": "number", "int_type": "whole",
    "int_parsing": "whole", "bool_type": "bool", "bool_parsing": "bool",
}


def _resolve_unions(errors: list[dict], data: Any) -> list[dict]:
    """One finding per mistake. Where a field accepts several shapes (text or a mapping), pydantic
    reports every shape it tried; keep the shape the author evidently meant (the one that failed
    deeper inside), or, when none fits at all, say once which shapes are allowed.

    All groups are settled in one pass per level of unions inside unions, so a file with
    thousands of such mistakes is as fast as one with a few."""
    pending = [(n, dict(e, loc=tuple(e["loc"]))) for n, e in enumerate(errors)]
    done: list[tuple[int, dict]] = []
    while pending:
        groups: dict[tuple, list[tuple[int, dict]]] = {}
        for n, e in pending:
            at = _first_tag(data, e)
            if at is None:
                done.append((n, e))
            else:
                groups.setdefault((e["loc"][:at], at), []).append((n, e))
        pending = []
        for (prefix, at), group in groups.items():
            arms: dict[Any, list[tuple[int, dict]]] = {}
            for n, e in group:
                arms.setdefault(e["loc"][at], []).append((n, e))
            if len(arms) > 1:
                deep = {arm: errs for arm, errs in arms.items()
                        if any(len(e["loc"]) > at + 1 for _, e in errs)}
                if not deep:
                    wanted = list(dict.fromkeys(_WANTED.get(e["type"], e["type"]) for _, e in group))
                    done.append((group[0][0], {"type": "sopbook_shape", "loc": prefix, "msg": "",
                                               "input": group[0][1].get("input"), "ctx": {"wanted": wanted}}))
                    continue
                arms = dict([next(iter(deep.items()))])  # several shapes failed inside: the first listed wins
            # one arm left: its name is no part of the document, so drop it from the locations
            for errs in arms.values():
                pending += [(n, dict(e, loc=e["loc"][:at] + e["loc"][at + 1:])) for n, e in errs]
    return [e for _, e in sorted(done, key=lambda pair: pair[0])]


def _did_you_mean(holder: Any, key: str) -> tuple[str, dict[str, object]]:
    """Guess which model a mapping was meant to be (most known keys, same 'type') and suggest:
    a hint's message id and its parameters."""
    from sopbook.model.nodes import node_classes

    keys = set(holder) if isinstance(holder, dict) else set()
    best, best_score = None, (-1, False)
    for cls in node_classes():
        fields = set(cls.model_fields) - {"at"}
        type_field = cls.model_fields.get("type")
        # a block says its type; a mapping without one is a step, section, KPI, event...
        if ("type" in keys) != (type_field is not None):
            continue
        if type_field is not None and type_field.default != holder.get("type"):
            continue
        score = (len(keys & fields), bool(difflib.get_close_matches(key, fields, n=1, cutoff=0.6)))
        if score > best_score:
            best, best_score = cls, score
    if best is None:
        return "", {}
    names = sorted(set(best.model_fields) - {"at"})
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
    if close:
        return N_("did you mean '{close}'?"), {"close": close[0]}
    return N_("allowed here: {allowed}"), {"allowed": ", ".join(names)}


def got(value: Any) -> tuple[str, dict[str, object]]:
    """What YAML made of the author's text: its kind (bool, number, mapping, list, nothing, text),
    which picks the message that says it, and the parameter `got` that shows it: `true`, `12` as
    written, or the text (its first 60 characters)."""
    if isinstance(value, bool):
        return "bool", {"got": str(value).lower()}
    if isinstance(value, (int, float)):
        return "number", {"got": str(getattr(value, "source", value))}
    if isinstance(value, dict):
        return "mapping", {}
    if isinstance(value, list):
        return "list", {}
    if value is None:
        return "nothing", {}
    return "text", {"got": inner(str(value)[:60])}


def inner(text: str) -> str:
    """`text` escaped as Python shows it between quotes (an invisible character as \\u200b), without
    the quotes: each message puts its own around it ('…' in English, “…” in Chinese)."""
    return repr(text)[1:-1]


def _written(value: Any) -> str:
    """A scalar as the author typed it: 1.50 stays 1.50, true stays true; a bound 1440.0 is 1440."""
    if isinstance(value, bool):
        return str(value).lower()
    if hasattr(value, "source"):
        return value.source
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar (JSON's escaping is valid there)."""
    return json.dumps(text, ensure_ascii=False)


def _colon_text(value: Any) -> str | None:
    """`- 注意: 对角车轮放置轮挡` is text to its author; YAML reads `key: value` as a mapping.
    The text it was, when `value` is such a one-key mapping of a scalar."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if isinstance(key, str) and not isinstance(inner, (dict, list)):
            return f"{key}:" if inner is None else f"{key}: {_written(inner)}"
    return None


def _colon_items(errors: list[dict], data: Any) -> list[dict]:
    """One error per list item that YAML read as a mapping where text was expected, saying to
    quote it, instead of what pydantic tried (no 'text' field, unknown field '注意', ...)."""
    items: dict[tuple, str] = {}
    for e in errors:
        if e["type"] in ("string_type", "union_tag_not_found"):
            for path, node, _ in _document_steps(data, e["loc"]):
                same = node is e.get("input") or (isinstance(node, dict) and node == e.get("input"))
                if same and (text := _colon_text(node)) is not None:
                    items[path] = text
    if not items:
        return errors
    out, reported = [], set()
    for e in errors:
        hit = next(((path, loc) for path, _, loc in _document_steps(data, e["loc"]) if path in items), None)
        if hit is None:
            out.append(e)
        elif hit[1] not in reported:
            reported.add(hit[1])
            out.append({"type": "sopbook_colon_text", "loc": hit[1], "msg": "", "input": items[hit[0]],
                        "ctx": {}})
    return out


def _full_width_number(value: Any) -> str | None:
    """'５' or '１５' typed by a Chinese input method: the number it means, to say so."""
    if not isinstance(value, str):
        return None
    plain = unicodedata.normalize("NFKC", value).strip()
    try:
        float(plain)
    except ValueError:
        return None
    return plain if plain != value.strip() else None


def _number_text(value: str, whole: bool) -> bool:
    """'5' or '2.5': text that is a plain number, which YAML reads as text only in quotes."""
    pattern = r"[-+]?[0-9]+" if whole else r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    return re.fullmatch(pattern, value.strip()) is not None


def _non_finite_text(value: str) -> bool:
    """'inf', 'nan', '1e400': text float() reads as no finite number."""
    try:
        return not math.isfinite(float(value))
    except ValueError:
        return False


# "expected <kind>, got <what YAML read>": one message per pair (see got()); a pair that cannot
# happen (a list where a list is expected) has none and is said by _WRONG_KIND.
_EXPECTED: dict[str, dict[str, str]] = {
    "text": {
        "bool": N_("{path}: expected text, got true/false ({got})"),
        "number": N_("{path}: expected text, got a number ({got})"),
        "mapping": N_("{path}: expected text, got a mapping (key: value lines)"),
        "list": N_("{path}: expected text, got a list"),
        "nothing": N_("{path}: expected text, got nothing"),
    },
    "list": {
        "bool": N_("{path}: expected a list, got true/false ({got})"),
        "number": N_("{path}: expected a list, got a number ({got})"),
        "mapping": N_("{path}: expected a list, got a mapping (key: value lines)"),
        "nothing": N_("{path}: expected a list, got nothing"),
        "text": N_("{path}: expected a list, got '{got}'"),
    },
    "mapping": {
        "bool": N_("{path}: expected a mapping of fields, got true/false ({got})"),
        "number": N_("{path}: expected a mapping of fields, got a number ({got})"),
        "list": N_("{path}: expected a mapping of fields, got a list"),
        "nothing": N_("{path}: expected a mapping of fields, got nothing"),
        "text": N_("{path}: expected a mapping of fields, got '{got}'"),
    },
    "whole": {
        "bool": N_("{path}: expected a whole number, got true/false ({got})"),
        "number": N_("{path}: expected a whole number, got a number ({got})"),
        "mapping": N_("{path}: expected a whole number, got a mapping (key: value lines)"),
        "list": N_("{path}: expected a whole number, got a list"),
        "nothing": N_("{path}: expected a whole number, got nothing"),
        "text": N_("{path}: expected a whole number, got '{got}'"),
    },
    "number": {
        "bool": N_("{path}: expected a number, got true/false ({got})"),
        "mapping": N_("{path}: expected a number, got a mapping (key: value lines)"),
        "list": N_("{path}: expected a number, got a list"),
        "nothing": N_("{path}: expected a number, got nothing"),
        "text": N_("{path}: expected a number, got '{got}'"),
    },
    "finite": {
        "number": N_("{path}: expected a finite number, got a number ({got})"),
        "text": N_("{path}: expected a finite number, got '{got}'"),
    },
    "bool": {
        "number": N_("{path}: expected true or false, got a number ({got})"),
        "mapping": N_("{path}: expected true or false, got a mapping (key: value lines)"),
        "list": N_("{path}: expected true or false, got a list"),
        "nothing": N_("{path}: expected true or false, got nothing"),
        "text": N_("{path}: expected true or false, got '{got}'"),
    },
    "mapping or text": {  # a list item that is text or a mapping of fields (a list's item, a checklist's)
        "bool": N_("{path}: expected a mapping of fields or text, got true/false ({got})"),
        "number": N_("{path}: expected a mapping of fields or text, got a number ({got})"),
        "list": N_("{path}: expected a mapping of fields or text, got a list"),
        "nothing": N_("{path}: expected a mapping of fields or text, got nothing"),
    },
}
_SHAPES = {frozenset({"mapping", "text"}): "mapping or text"}
_WRONG_KIND = N_("{path}: a value of the wrong kind for this field ({error})")
_BOUNDS = {  # pydantic's type: (its context key, message, hint)
    "greater_than_equal": ("ge", N_("{path}: expected a number at least {limit}, got {value}"),
                           N_("write a number at least {limit}")),
    "less_than_equal": ("le", N_("{path}: expected a number at most {limit}, got {value}"),
                        N_("write a number at most {limit}")),
    "greater_than": ("gt", N_("{path}: expected a number more than {limit}, got {value}"),
                     N_("write a number more than {limit}")),
    "less_than": ("lt", N_("{path}: expected a number less than {limit}, got {value}"),
                  N_("write a number less than {limit}")),
}
_WHOLE_HINT, _NUMBER_HINT = N_("write a whole number, e.g. 5"), N_("write a plain number, e.g. 5 or 2.5")
_RESERVED = N_("{path}: 'at' is reserved for the loader's locations")
_RESERVED_AT_TOP = N_("'at' is reserved for the loader's locations")  # said without a path


def _expected(kind: str, value: Any) -> tuple[str, dict[str, object]]:
    """"expected <kind>, got <what YAML read>" as a message id and its parameters."""
    got_kind, params = got(value)
    message = _EXPECTED.get(kind, {}).get(got_kind)
    return (message, params) if message else (_WRONG_KIND, {"error": kind})


def _message(err: dict, holder: Any) -> tuple[str, str, dict[str, object]]:
    """(message id, hint id, parameters) of one of pydantic's errors: translated by the error's
    type, so no English of pydantic's reaches an editor. The message ids start with the YAML path
    (`{path}: `), which validation_findings adds to the parameters."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    scalar = isinstance(value, (bool, int, float))
    if "message" in ctx and kind.startswith("sopbook_"):  # a validator of the model said it (model/nodes.py)
        params = {k: v for k, v in ctx.items() if k != "message"}
        hints = {"sopbook_date": N_("write the date as YYYY-MM-DD, e.g. 2026-11-23"),
                 "sopbook_future_date": N_("write the date of the last revision, "
                                           "at the latest today ({today})")}
        return ctx["message"], hints.get(kind, ""), params
    if kind == "sopbook_colon_text":  # the input is the item's text (_colon_items)
        text = str(value)
        return (N_("{path}: '{text}' is read as a mapping (the ': ' after '{key}' makes a key)"),
                N_("quote it: {quoted}"),
                {"text": inner(text), "key": inner(text.split(":")[0]), "quoted": _quoted(text)})
    if kind == "sopbook_shape":
        shape = _SHAPES.get(frozenset(ctx["wanted"]))
        message, params = _expected(shape, value) if shape else (_WRONG_KIND, {"error": kind})
        if "text" in ctx["wanted"] and scalar:
            return message, N_("quote it: {quoted}"), {**params, "quoted": _quoted(_written(value))}
        return message, "", params
    if kind == "string_type":
        message, params = _expected("text", value)
        if scalar:
            return message, N_("quote it: {quoted}"), {**params, "quoted": _quoted(_written(value))}
        return message, N_("quote it if it is text, e.g. \"2024\""), params
    if kind == "list_type":
        message, params = _expected("list", value)
        return message, N_("write each entry on its own '- ' line, or [a, b]"), params
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        message, params = _expected("mapping", value)
        return message, N_("write it as key: value lines"), params
    if kind in ("int_parsing", "float_parsing", "int_type", "float_type", "int_from_float"):
        plain = _full_width_number(value)
        if plain is not None:
            return (N_("{path}: '{value}' is written with full-width digits"), N_("write it as {plain}"),
                    {"value": inner(str(value)), "plain": plain})
        whole = kind.startswith("int")
        hint = _WHOLE_HINT if whole else _NUMBER_HINT
        if isinstance(value, str) and _non_finite_text(value):
            message, params = _expected("finite", value)
            return message, _NUMBER_HINT, params
        if isinstance(value, str) and _number_text(value, whole):
            message = (N_("{path}: expected a whole number, got the text '{value}'") if whole
                       else N_("{path}: expected a number, got the text '{value}'"))
            return (message, N_("write it without quotes: {plain}"),
                    {"value": inner(value), "plain": value.strip()})
        message, params = _expected("whole" if whole else "number", value)
        return message, hint, params
    if kind in _BOUNDS:
        key, message, hint = _BOUNDS[kind]
        return message, hint, {"limit": _written(ctx.get(key)), "value": _written(value)}
    if kind == "string_too_long":
        hint = N_("ids are short names, e.g. golden-sop") if str(err["loc"][-1]) == "id" else ""
        return (N_("{path}: too long: {length} characters, at most {max}"), hint,
                {"length": len(str(value)), "max": ctx.get("max_length")})
    if kind == "string_too_short":
        return N_("{path}: the text is empty"), N_("write the text, or delete the line"), {}
    if kind == "too_short":
        return (N_("{path}: the list has {actual} entries, at least {min} are needed"),
                N_("add the missing entries"),
                {"actual": ctx.get("actual_length"), "min": ctx.get("min_length")})
    if kind == "finite_number":
        message, params = _expected("finite", value)
        return message, _NUMBER_HINT, params
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        hidden = [c for c in key if unicodedata.category(c) in ("Cf", "Cc", "Zs", "Zl", "Zp") and c != " "]
        if hidden:  # a BOM pasted mid-file, a full-width space used to indent: invisible in editors
            names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip()
                              for c in dict.fromkeys(hidden))
            return (N_("{path}: unknown field '{key}': it contains an invisible character ({names})"),
                    N_("delete the invisible character; indent with ordinary spaces"),
                    {"key": inner(key), "names": names})
        hint, params = _did_you_mean(holder, key)
        return N_("{path}: unknown field '{key}'"), hint, {**params, "key": key}
    if kind == "missing":
        return (N_("{path}: required field missing"),
                N_("add it; `sopbook schema` writes the JSON Schema that lists every field"), {})
    if kind == "union_tag_invalid":
        return (N_("{path}: unknown block type '{tag}'"), N_("use one of: {allowed}"),
                {"tag": ctx.get("tag"), "allowed": ctx.get("expected_tags")})
    if kind == "union_tag_not_found":
        return (N_("{path}: block has no 'type'"),
                N_("add type: prose, list, table, checklist, procedure, ..."), {})
    if kind == "literal_error":
        allowed = re.findall(r"'((?:[^'\\]|\\.)*)'", str(ctx.get("expected", "")))
        return (N_("{path}: '{value}' is not allowed here"), N_("use one of: {allowed}"),
                {"value": inner(_written(value)), "allowed": ", ".join(allowed)})
    if kind == "string_pattern_mismatch":
        return (N_("{path}: invalid id '{id}'"),
                N_("ids use lowercase a-z, digits and hyphens, e.g. golden-sop (global: chapter.thing)"),
                {"id": inner(str(value))})
    if kind in ("bool_type", "bool_parsing"):
        message, params = _expected("bool", value)
        return message, N_("write true or false"), params
    if kind == "reserved_field":
        return _RESERVED, "", {}
    return _WRONG_KIND, "", {"error": kind}


def _typos_for_missing(errors: list[dict]) -> list[dict]:
    """`tittle:` is one mistake: report the unknown field (with "did you mean 'title'?"), not also
    a missing 'title'."""
    missing = {(e["loc"][:-1], e["loc"][-1]): e for e in errors if e["type"] == "missing"}
    if not missing:
        return errors
    covered = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            parent = e["loc"][:-1]
            names = [name for (where, name) in missing if where == parent and isinstance(name, str)]
            close = difflib.get_close_matches(str(e["loc"][-1]), names, n=1, cutoff=0.6)
            if close:
                covered.add((parent, close[0]))
    return [e for e in errors if not (e["type"] == "missing" and (e["loc"][:-1], e["loc"][-1]) in covered)]


def validation_findings(exc: ValidationError, data: Any, display: str) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple] = set()
    errors = _colon_items(cast(list[dict], exc.errors(include_url=False)), data)
    for err in _typos_for_missing(_resolve_unions(errors, data)):
        loc = err["loc"]
        where = _locate(data, loc, display)
        holder = _holder(data, loc)
        if err["type"] == "extra_forbidden" and isinstance(holder, LocDict) and loc[-1] in holder.key_locs:
            where = holder.key_locs[loc[-1]]  # the key itself, even when its value is a list below it
        message, hint, params = _message(err, holder)
        path = _path_text(data, loc, _is_key_error(err))
        if not path and message == _RESERVED:
            message = _RESERVED_AT_TOP
        params = {**params, "path": path}
        key = (where, say(message, SOURCE_LANGUAGE, params))
        if key in seen:
            continue
        seen.add(key)
        out.append(Finding("error", "load.schema", message, where, hint, params=params))
    return out
