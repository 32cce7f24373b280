"""The margins per product the reports read (storage.rollups.margins) equal the average of every deal
that states one, after bulk and ORM writes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.demo.data import TEAM, generate
from storage.db import read_scope, session_scope
from storage.models import Deal
from storage.repos import metrics
from storage.repos.imports import bulk
from tests.runtime import deps_for


def by_hand(engine: Engine) -> list[tuple[str, float]]:
    with Session(engine) as s:
        deals = s.exec(select(Deal.product, Deal.margin).where(Deal.team_id == TEAM)).all()
    margins: dict[str, list[float]] = defaultdict(list)
    for product, margin in deals:
        if product is not None and margin is not None:
            margins[product].append(margin)
    return [(p, sum(v) / len(v)) for p, v in sorted(margins.items())]


def read(engine: Engine) -> list[tuple[str, float]]:
    with read_scope(engine) as s:
        return metrics.product_margins(s, team_id=TEAM)


def same(a: list[tuple[str, float]], b: list[tuple[str, float]]) -> bool:
    """The same products, each average equal to ten places (the roll-up rounds there)."""
    close = all(x == pytest.approx(y, abs=1e-10) for (_, x), (_, y) in zip(a, b, strict=True))
    return [p for p, _ in a] == [p for p, _ in b] and close


def test_the_margins_follow_bulk_and_orm_writes(engine: Engine):
    generate(deps_for(engine), seed=4, today=date(2026, 11, 30))
    assert same(read(engine), by_hand(engine)) and by_hand(engine)
    with session_scope(engine) as s, bulk(s) as w:
        w.upsert(
            "deals",
            TEAM,
            pd.DataFrame({"external_id": ["NEW-P"], "product": ["Brand new"], "margin": [0.9], "status": ["open"]}),
        )
    assert ("Brand new", 0.9) in read(engine)
    with Session(engine) as s:
        deal = s.exec(select(Deal).where(Deal.team_id == TEAM, Deal.external_id == "NEW-P")).one()
        deal.margin = None
        s.add(deal)
        other = s.exec(select(Deal).where(Deal.team_id == TEAM, Deal.margin != None).limit(1)).one()  # noqa: E711
        other.margin = 0.01
        s.add(other)
        s.commit()
    assert same(read(engine), by_hand(engine)) and "Brand new" not in dict(read(engine))
