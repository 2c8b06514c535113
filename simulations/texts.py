"""The kinds of sentence a simulation run's headline is stored as (governance.platform.texts),
and the formats of its figures, so an agenda reads the headline in each reader's language and
number format. The msgids are the ones the run pages already translate."""

from django.utils.translation import gettext_noop

from governance.platform.texts import register, register_format


def _duration(value, **_options) -> str:
    from simulations.reports import duration

    return duration(value)


def _amount(value, unit: str = "") -> str:
    from simulations.levels import amount

    return "–" if value is None else amount(value, unit)


register_format("simulations.duration", _duration)
register_format("simulations.amount", _amount)

# "Current chain: Service desk: 78,2 % within 20,0 s (target 80,0 %: missed); bottleneck …"
HEADLINE = register(
    "simulations.headline", "%(label)s: %(level)s; %(bottleneck)s; %(unreachable)s."
)
LEVEL = register("simulations.level", gettext_noop("%(step)s: %(level)s within %(within)s"))
LEVEL_TARGET = register("simulations.level_target", "%(level)s %(target)s")
TARGET = register(
    "simulations.target",
    gettext_noop("(target %(target)s: %(attainment)s)"),
    translated=("attainment",),
)
PREDICTION = register(
    "simulations.prediction",
    gettext_noop(
        "%(code)s (%(step)s): %(predicted)s predicted against %(target)s in force: %(state)s"
    ),
    translated=("state",),
)
BOTTLENECK = register(
    "simulations.bottleneck", gettext_noop("bottleneck %(step)s at %(utilisation)s")
)
UNREACHABLE = register("simulations.unreachable", gettext_noop("%(n)s unreachable contacts a week"))
