from kto.gaps.reasons import gap_reason
from kto.gaps.rules import (
    Flag,
    LevelFigure,
    Perception,
    PerceptionState,
    Thresholds,
    assess_perception,
    assess_sla,
    evidence,
    judge_family,
)

T = Thresholds(target=3.5)
WATERMELON_PERCEPTION = Perception(n=60, mean=2.95, sd=0.89)


def reason(levels, perception, language, flag):
    return gap_reason(
        flag=flag,
        dimension="responsiveness",
        sla=assess_sla(levels),
        level_count=len(levels),
        perception_state=assess_perception(perception, T),
        perception=perception,
        thresholds=T,
        language=language,
    )


def test_watermelon_reason_names_the_figures_in_english():
    levels = [LevelFigure("SD-01", 90, 95, True)]
    assert reason(levels, WATERMELON_PERCEPTION, "en", Flag.WATERMELON) == (
        "Watermelon: green in the report, red for the users. Responsiveness: the supplier "
        "reports its 1 service level met (margin +5.6 %); users score 2.95 "
        "(95% CI 2.72–3.18, n = 60), below the target 3.5; too far below to be chance, also "
        "allowing for the 1 cell judged this month (p < 0.001, q < 0.001)."
    )


def test_watch_reasons_say_what_is_missing():
    levels = [LevelFigure("SD-01", 90, 95, True)]
    lone = Perception(n=30, mean=3.3, sd=0.9)
    thresholds = Thresholds(target=3.8)
    found = evidence(lone, thresholds)
    ordinary = evidence(Perception(n=30, mean=3.8, sd=0.8), thresholds)
    judged = judge_family([found] + [ordinary] * 49)[0]
    text = gap_reason(
        flag=Flag.WATCH,
        dimension="responsiveness",
        sla=assess_sla(levels),
        level_count=1,
        perception_state=assess_perception(lone, thresholds, judged),
        perception=lone,
        thresholds=thresholds,
        evidence=judged,
        language="en",
    )
    assert text.endswith(
        "users score 3.30 (95% CI 2.96–3.64, n = 30), below the target 3.8; below the target "
        "on its own (p = 0.002), but not once the 50 cells judged this month are allowed for "
        "(q = 0.123)."
    )
    within = Perception(n=400, mean=3.45, sd=0.458)
    text = reason(levels, within, "en", Flag.WATCH)
    assert text.endswith(
        "below the target 3.5; beyond chance (p = 0.015, q = 0.015), but by less than the "
        "practical margin 0.10."
    )


def test_reason_in_dutch_uses_decimal_commas():
    levels = [LevelFigure("SD-01", 90, 80, True)]
    text = reason(levels, WATERMELON_PERCEPTION, "nl", Flag.BOTH_RED)
    assert "2,95" in text and "SD-01" in text and "-11,1 %" in text
    assert "2.95" not in text


def test_insufficient_data_says_why():
    text = reason([], Perception(n=3, mean=4.0, sd=1.0), "en", Flag.INSUFFICIENT_DATA)
    assert "no service level is mapped to it" in text
    assert "only 3 respondents answered, fewer than the 5 needed to judge" in text
    assert assess_perception(None, T) == PerceptionState.SUPPRESSED
