"""Recognise generated agenda lines stored as text before they were stored as kinds (SIP
progress, satisfaction trend, simulation headline), in either language's wording, and give
their kind and parameters, so a data migration can make them read in each reader's language.
A line that is not recognised in full gives None and stays as it is."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from governance.platform.dimensions import Dimension
from governance.platform.texts import Said, figure, kind_msgid, msgid_of
from meetings import texts
from meetings.sources import GROUPS

# The simulation headline's kinds, registered by the simulations app (simulations.texts); named
# here by their keys, as this app reads another app only through its selectors.
run_texts = SimpleNamespace(
    HEADLINE="simulations.headline",
    LEVEL="simulations.level",
    LEVEL_TARGET="simulations.level_target",
    TARGET="simulations.target",
    PREDICTION="simulations.prediction",
    BOTTLENECK="simulations.bottleneck",
    UNREACHABLE="simulations.unreachable",
)
CURRENT_CHAIN = "simulations.current_chain"

NUMBER = r"[+\-\u2212]?\d[\d.,]*|–"


def _languages():
    return [code for code, _name in settings.LANGUAGES]


def _pattern(msgid: str, groups: dict[str, str]) -> list[re.Pattern]:
    """The msgid in each language as a regular expression, each %(name)s a named group."""
    patterns = []
    for language in _languages():
        with translation.override(language):
            text = gettext(msgid)
        parts = re.split(r"%\((\w+)\)s", text)
        regex = ""
        for index, part in enumerate(parts):
            regex += re.escape(part) if index % 2 == 0 else f"(?P<{part}>{groups[part]})"
        patterns.append(re.compile(f"^{regex}$"))
    return patterns


def _match(msgid: str, groups: dict[str, str], text: str) -> dict | None:
    for pattern in _pattern(msgid, groups):
        found = pattern.match(text)
        if found:
            return found.groupdict()
    return None


def parse_number(text: str):
    """A figure as written in either language ("92,69", "−25.08", "1.234,50"); None for "–".
    The decimal separator is the one before the last two digits (all figures here have two)."""
    text = text.strip()
    if text in ("–", ""):
        return None
    negative = text[0] in "-\u2212"
    digits = text.lstrip("+-\u2212")
    decimal = re.search(r"[.,](\d{1,2})$", digits)
    if decimal:
        whole = re.sub(r"[.,]", "", digits[: decimal.start()])
        value = float(f"{whole}.{decimal.group(1)}")
    else:
        value = float(re.sub(r"[.,]", "", digits))
    return -value if negative else value


def _label(text: str, msgids) -> str | None:
    """The msgid whose text in some language is `text`."""
    for msgid in msgids:
        for language in _languages():
            with translation.override(language):
                if gettext(msgid) == text:
                    return msgid
    return None


def sip_line(text: str) -> Said | None:
    """ "SLA: start 92.69, current 67.61, change -25.08, target 95.00" in either language."""
    labels = ("SLA", "Perception")
    kinds = [
        (texts.SIP_LINE, ("start", "current", "change", "target")),
        (texts.SIP_BASELINE_ONLY, ("start",)),
    ]
    for key, names in kinds:
        msgid = kind_msgid(key)
        found = _match(msgid, {"label": r".+?"} | dict.fromkeys(names, NUMBER), text)
        if found is None:
            continue
        label = _label(found["label"], labels)
        if label is None:
            return None
        params = {"label": label}
        for name in names:
            params[name] = figure(
                "number",
                parse_number(found[name]),
                d=2,
                **({"sign": True} if name == "change" else {}),
            )
        return Said(key, params)
    return None


def kto_line(text: str) -> Said | None:
    """ "Reliability: 3.40 (-0.20) — End users 3.10, Business 3.90" in either language."""
    found = re.match(
        rf"^(?P<dimension>.+?): (?P<score>{NUMBER})(?: \((?P<change>{NUMBER})\))?"
        r"(?: — (?P<groups>.+))?$",
        text,
    )
    if found is None:
        return None
    dimension = _label(found["dimension"], [msgid_of(d.label) for d in Dimension])
    if dimension is None:
        return None
    values = {"dimension": dimension, "score": _score(found["score"])}
    if found["change"]:
        values["change"] = _score(found["change"], sign=True)
    line = Said(texts.KTO_SCORE_CHANGE if found["change"] else texts.KTO_SCORE, values)
    if not found["groups"]:
        return line
    groups = []
    for part in found["groups"].split(", "):
        group = re.match(rf"^(?P<group>.+) (?P<score>{NUMBER})$", part)
        label = group and _label(group["group"], [label for _key, label in GROUPS])
        if not label:
            return None
        groups.append(Said(texts.KTO_GROUP, {"group": label, "score": _score(group["score"])}))
    return Said(texts.KTO_TRIANGLE, {"line": line, "groups": groups})


def _score(text: str, sign: bool = False) -> dict:
    options = {"sign": True} if sign else {}
    return figure("number", parse_number(text), d=2, **options)


# --- the simulation headline ----------------------------------------------------------------

PERCENT = r"\d[\d.,]* %|–"
DURATION = r"\d[\d.,]* (?:s|min|h|d)|–"
AMOUNT = r"\d[\d.,]*(?: \S+)?|–"
STATES = ("met", "missed", "uncertain")
SECONDS = {"s": 1, "min": 60, "h": 3600, "d": 86400}


def _percent(text: str) -> dict:
    value = parse_number(text.removesuffix(" %")) if text != "–" else None
    return figure("percent", None if value is None else round(value / 100, 6))


def _duration(text: str) -> dict:
    if text == "–":
        return figure("simulations.duration", None)
    value, unit = text.rsplit(" ", 1)
    return figure("simulations.duration", parse_number(value) * SECONDS[unit])


def _amount(text: str) -> dict:
    if text == "–":
        return figure("simulations.amount", None)
    value, _space, unit = text.partition(" ")
    return figure("simulations.amount", parse_number(value), unit=unit)


def _state(text: str) -> str | None:
    return "–" if text == "–" else _label(text, STATES)


def _level(text: str) -> Said | None:
    """A step's service level ("Service desk: 78,2 % within 20,0 s (target 80,0 %: missed)")
    or a contract level's prediction ("SD-ANSWER (Service desk): 78,2 % predicted …")."""
    found = _match(
        kind_msgid(run_texts.PREDICTION),
        {"code": r"\S+", "step": r".+?", "predicted": AMOUNT, "target": AMOUNT, "state": r".+"},
        text,
    )
    if found is not None:
        state = _state(found["state"])
        if state is None:
            return None
        return Said(
            run_texts.PREDICTION,
            {
                "code": found["code"],
                "step": found["step"],
                "predicted": _amount(found["predicted"]),
                "target": _amount(found["target"]),
                "state": state,
            },
        )
    target = None
    for pattern in _pattern(
        kind_msgid(run_texts.TARGET), {"target": PERCENT, "attainment": r"[^)]+"}
    ):
        tail = re.search(" " + pattern.pattern.strip("^$") + "$", text)
        if tail is not None:
            attainment = _state(tail["attainment"])
            if attainment is None:
                return None
            target = Said(
                run_texts.TARGET,
                {"target": _percent(tail["target"]), "attainment": attainment},
            )
            text = text[: tail.start()]
            break
    found = _match(
        kind_msgid(run_texts.LEVEL), {"step": r".+", "level": PERCENT, "within": DURATION}, text
    )
    if found is None:
        return None
    level = Said(
        run_texts.LEVEL,
        {
            "step": found["step"],
            "level": _percent(found["level"]),
            "within": _duration(found["within"]),
        },
    )
    return Said(run_texts.LEVEL_TARGET, {"level": level, "target": target}) if target else level


def headline(text: str) -> Said | None:
    """A run's headline ("Current chain: Service desk: 78,2 % within 20,0 s (target 80,0 %:
    missed); bottleneck Second line at 91,0 %; 42 unreachable contacts a week.")."""
    if not text.endswith(".") or text.count("; ") < 2:
        return None
    head, bottleneck_text, unreachable_text = text[:-1].rsplit("; ", 2)
    bottleneck = _match(
        kind_msgid(run_texts.BOTTLENECK), {"step": r".+", "utilisation": PERCENT}, bottleneck_text
    )
    unreachable = _match(kind_msgid(run_texts.UNREACHABLE), {"n": NUMBER}, unreachable_text)
    if bottleneck is None or unreachable is None:
        return None
    n = re.sub(r"[.,\s]", "", unreachable["n"])
    if not n.isdigit():
        return None
    start = 0
    while (colon := head.find(": ", start)) != -1:
        label, level = head[:colon], _level(head[colon + 2 :])
        start = colon + 2
        if level is None:
            continue
        current = _label(label, ["Current chain"])
        return Said(
            run_texts.HEADLINE,
            {
                "label": Said(CURRENT_CHAIN) if current else label,
                "level": level,
                "bottleneck": Said(
                    run_texts.BOTTLENECK,
                    {
                        "step": bottleneck["step"],
                        "utilisation": _percent(bottleneck["utilisation"]),
                    },
                ),
                "unreachable": Said(run_texts.UNREACHABLE, {"n": figure("number", int(n), d=0)}),
            },
        )
    return None


RECOGNISERS = {"sip": sip_line, "kto_trend": kto_line, "simulation": headline}


def _simulated_on(text: str) -> Said | None:
    found = _match(kind_msgid(texts.SIMULATED_ON), {"date": r"\d{4}-\d{2}-\d{2}"}, text)
    return Said(texts.SIMULATED_ON, found) if found else None


def _line(source: str, line: str) -> Said | None:
    said = RECOGNISERS[source](line)
    if said is None and source == "simulation":
        said = _simulated_on(line)
    return said


def converted_parts(source: str, detail: str, parts: list) -> list[dict] | None:
    """An item's detail parts with every generated line stored as text (a `{"t"}` part, or the
    detail itself for an item from before the parts) replaced by its kind and parameters; None
    when there is nothing to convert or a line is not recognised (the item stays as it is)."""
    if source not in RECOGNISERS:
        return None
    if not parts:
        parts = [{"t": detail}] if detail.strip() else []
    result, changed = [], False
    for part in parts:
        if "k" in part:
            result.append(part)
            continue
        for line in part.get("t", "").splitlines():
            if not line.strip():
                continue
            said = _line(source, line)
            if said is None:
                return None
            result.append(said.stored())
            changed = True
    return result if changed else None
