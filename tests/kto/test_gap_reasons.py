from kto.gaps.reasons import gap_reason
from kto.gaps.rules import (
    Flag,
    LevelFigure,
    Perception,
    PerceptionState,
    Thresholds,
    assess_perception,
    assess_sla,
)

T = Thresholds(target=3.5)
WATERMELON_PERCEPTION = Perception(n=60, mean=2.95, ci_low=2.72, ci_high=3.18)


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
        "reports all 1 service level(s) met (smallest margin +5.6 %); users score 2.95 "
        "(95% CI 2.72–3.18, n = 60), below the target 3.5."
    )


def test_reason_in_dutch_uses_decimal_commas():
    levels = [LevelFigure("SD-01", 90, 80, True)]
    text = reason(levels, WATERMELON_PERCEPTION, "nl", Flag.BOTH_RED)
    assert "2,95" in text and "SD-01" in text and "-11,1 %" in text
    assert "2.95" not in text


def test_insufficient_data_says_why():
    text = reason(
        [], Perception(n=3, mean=4.0, ci_low=3.0, ci_high=5.0), "en", Flag.INSUFFICIENT_DATA
    )
    assert "no service level is mapped to it" in text
    assert "only 3 respondent(s) answered, fewer than the 5 needed to judge" in text
    assert assess_perception(None, T) == PerceptionState.SUPPRESSED
