"""The funnel: the period's counts at each stage, and the step conversions of one cohort of leads.

A period's meetings and sales mostly come from leads of earlier periods, so dividing this week's
meetings by this week's target leads mixes cohorts and can pass 100%. The conversions here follow
one cohort instead: the leads created in the COHORT_DAYS that ended MATURE_DAYS before the period
did, counted by how far they had got by the period's end. The maturity lag is a compromise between
fresh and finished: in the demo data a lead is sold to within 33 days; in the Olist funnel (real
B2B leads) half the sales close within 14 days of the first contact and two thirds within 30, so a
cohort 30 to 120 days old has had most of its chances. One rule for every report keeps the daily,
weekly and monthly digests of the same days telling the same story.

Visitors are not a cohort of leads (no visit is tied to a lead), so visitors → leads stays a ratio
of the period's counts, kept apart from the cohort's steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.kpi.catalog import FUNNEL_STAGES, ratio
from bot.kpi.periods import Period

COHORT_DAYS = 90
MATURE_DAYS = 30
# A step is judged only from at least this many leads at the stage before it: 2 of 3 is no "67%".
MIN_BASE = 10
COHORT_STAGES = FUNNEL_STAGES[1:]  # leads, target leads, meetings, sales


def cohort_of(period: Period) -> Period:
    """The leads whose progress the funnel of `period` shows: COHORT_DAYS ending MATURE_DAYS before it ends."""
    last = period.end - timedelta(days=MATURE_DAYS + 1)
    return Period.between(last - timedelta(days=COHORT_DAYS - 1), last)


@dataclass(frozen=True)
class FunnelStage:
    stage: str
    count: float  # in the period
    previous_count: float | None = None  # in the period compared with
    cohort_count: int | None = None  # leads of the cohort that reached this stage (None: visitors)
    conversion_pct: float | None = None  # cohort_count ÷ the stage before's, when that is judged


@dataclass(frozen=True)
class Funnel:
    stages: list[FunnelStage]
    cohort: Period
    as_of: date  # the last day whose meetings and sales the cohort counts
    visitors_to_leads_pct: float | None = None  # the period's leads ÷ its visitors, not a cohort step

    def stage(self, name: str) -> FunnelStage | None:
        return next((s for s in self.stages if s.stage == name), None)

    def to_json(self) -> dict[str, Any]:
        leak = biggest_leak(self)
        return {
            "cohort": {
                "start": self.cohort.start.isoformat(),
                "end": self.cohort.last_day.isoformat(),
                "as_of": self.as_of.isoformat(),
                "min_base": MIN_BASE,
            },
            "visitors_to_leads_pct": self.visitors_to_leads_pct,
            "biggest_leak": leak.stage if leak else None,
            "stages": [
                {
                    "stage": s.stage,
                    "count": s.count,
                    "previous_count": s.previous_count,
                    "cohort_count": s.cohort_count,
                    "conversion_pct": s.conversion_pct,
                }
                for s in self.stages
            ],
        }


def build_funnel(
    current: dict[str, Any], previous: dict[str, Any], cohort: dict[str, int], *, period: Period
) -> Funnel:
    """The period's counts beside its cohort's step conversions (`cohort`: leads reaching each stage)."""
    stages = []
    for i, name in enumerate(FUNNEL_STAGES):
        reached = cohort.get(name) if name in COHORT_STAGES else None
        before = cohort.get(FUNNEL_STAGES[i - 1]) if i > 1 else None
        judged = reached is not None and before is not None and before >= MIN_BASE
        stages.append(
            FunnelStage(
                stage=name,
                count=current.get(name) or 0,
                previous_count=previous.get(name) or 0,
                cohort_count=reached,
                conversion_pct=ratio(reached, before, 100) if judged else None,
            )
        )
    return Funnel(
        stages=stages,
        cohort=cohort_of(period),
        as_of=period.last_day,
        visitors_to_leads_pct=ratio(current.get("leads"), current.get("visitors"), 100),
    )


def biggest_leak(funnel: Funnel) -> FunnelStage | None:
    """The cohort's weakest step: the stage that kept the smallest share of the leads at the stage
    before it (the first such on a tie); None when no step could be judged."""
    judged = [s for s in funnel.stages if s.conversion_pct is not None]
    return min(judged, key=lambda s: s.conversion_pct or 0.0) if judged else None
