"""A generated workspace's data (fixed seed) for the SQLite/PostgreSQL parity test, and the numbers a
report of it must show, counted here in pandas from the generated rows, apart from any SQL.

Besides random rows over 2026, every edge instant of a set of local days carries a lead, a request, a
meeting, a won deal and a review: local midnight, one microsecond before it, UTC midnight and one
microsecond before it, and the instants around the day's clock change (the DST days of 2026).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

NOW = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
START = datetime(2026, 1, 1, tzinfo=UTC)
CHANNELS = ["google_ads", "facebook", "seo", "email", None]
SPEND_CHANNELS = ["google_ads", "facebook", "seo", "email"]
OWNERS = ["U0REP1", "U0REP2", "U0REP3", "U0REP4", None]
US = timedelta(microseconds=1)


@dataclass
class Dataset:
    team: str
    tz: str
    leads: pd.DataFrame
    verdicts: pd.DataFrame
    activities: pd.DataFrame
    deals: pd.DataFrame
    spend: pd.DataFrame
    traffic: pd.DataFrame
    feedback: pd.DataFrame
    # (month, channel) → {kpi: planned value}; channel "" is the workspace's plan
    plans: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), ZoneInfo(self.tz)).astimezone(UTC)


def edge_instants(tz: str, days: list[date]) -> list[datetime]:
    """Local and UTC midnights of each day and a microsecond before them, the day's last local instant,
    and the instants around a clock change within the day."""
    zone = ZoneInfo(tz)
    out: set[datetime] = set()
    for d in days:
        m = datetime.combine(d, time(0), zone).astimezone(UTC)
        nxt = datetime.combine(d + timedelta(days=1), time(0), zone).astimezone(UTC)
        u = datetime.combine(d, time(0), UTC)
        out |= {m, m - US, m + US, u, u - US, nxt - US}
        for h in range(int((nxt - m).total_seconds() // 3600)):
            a = m + timedelta(hours=h)
            if a.astimezone(zone).utcoffset() != (a + timedelta(hours=1)).astimezone(zone).utcoffset():
                t = a + timedelta(hours=1)  # the change: the first instant of the new offset
                out |= {t - US, t, t - timedelta(minutes=30), t + timedelta(minutes=30)}
    return sorted(x for x in out if x < NOW)


def _ts(values: list[datetime | None]) -> pd.Series:
    return pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[us, UTC]")


def _obj(values: list) -> pd.Series:
    return pd.Series(values, dtype=object)


def generate(team: str, tz: str, edge_days: list[date], *, seed: int, leads: int = 1500) -> Dataset:
    rng = np.random.default_rng(seed)
    span_us = int((NOW - START).total_seconds() * 1_000_000)
    created = [START + timedelta(microseconds=int(x)) for x in np.sort(rng.integers(0, span_us, leads))]
    edges = edge_instants(tz, edge_days)
    created += edges
    n = len(created)
    ext = [f"L{i:05d}" for i in range(leads)] + [f"E{i:03d}" for i in range(len(edges))]
    edge = np.array([False] * leads + [True] * len(edges))
    chan = [CHANNELS[i] for i in rng.integers(0, len(CHANNELS), n)]
    campaign = [None if c is None or k == 3 else f"{c}-{k}" for c, k in zip(chan, rng.integers(0, 4, n), strict=True)]
    owner = [OWNERS[i] for i in rng.integers(0, len(OWNERS), n)]
    verdict_pick = rng.choice(["target", "not_target", "spam", "none"], n, p=[0.45, 0.25, 0.1, 0.2])
    verdict_at = [c + timedelta(seconds=int(s)) for c, s in zip(created, rng.integers(600, 3 * 86400, n), strict=True)]
    verdict = [None if v == "none" or a >= NOW else str(v) for v, a in zip(verdict_pick, verdict_at, strict=True)]
    carded = rng.random(n) < 0.7
    posted = [
        c + timedelta(seconds=int(s)) if k else None
        for c, s, k in zip(created, rng.integers(1, 300, n), carded, strict=True)
    ]
    lead_df = pd.DataFrame(
        {
            "external_id": ext,
            "created_at": _ts(created),
            "channel": _obj(chan),
            "campaign": _obj(campaign),
            "owner": _obj(owner),
            "verdict": _obj(verdict),
            "verdict_at": _ts([a if v else None for a, v in zip(verdict_at, verdict, strict=True)]),
            "card_channel": _obj(["C0LEADS" if p else None for p in posted]),
            "card_ts": _obj([f"{p.timestamp():.6f}" if p else None for p in posted]),
            "card_posted_at": _ts(posted),
        }
    )
    judged = lead_df[lead_df["verdict"].notna()]
    verdicts = pd.DataFrame(
        {
            "external_id": judged["external_id"],
            "verdict": judged["verdict"],
            "reason": pd.Series([None] * len(judged), index=judged.index, dtype=object),
            "user_id": judged["owner"],
            "created_at": judged["verdict_at"],
        }
    )
    # Activities: a request when a lead comes in, a meeting days later for some target leads; every
    # edge lead has both at its own instant.
    req = (rng.random(n) < 0.6) | edge
    met_at = [c + timedelta(seconds=int(s)) for c, s in zip(created, rng.integers(3600, 10 * 86400, n), strict=True)]
    met_at = [c if e else m for c, m, e in zip(created, met_at, edge, strict=True)]
    target = np.array([v == "target" for v in verdict])
    met = ((target & (rng.random(n) < 0.5)) | edge) & np.array([m < NOW for m in met_at])
    ext_a, owner_a = np.array(ext, dtype=object), np.array(owner, dtype=object)
    created_a, met_a = np.array(created, dtype=object), np.array(met_at, dtype=object)
    activities = pd.DataFrame(
        {
            "external_id": [*(f"R{e}" for e in ext_a[req]), *(f"M{e}" for e in ext_a[met])],
            "kind": ["request"] * int(req.sum()) + ["meeting"] * int(met.sum()),
            "occurred_at": _ts([*created_a[req], *met_a[met]]),
            "rep": _obj([*owner_a[req], *owner_a[met]]),
            "lead_external_id": _obj([*ext_a[req], *ext_a[met]]),
        }
    )
    deals = _deals(rng, ext, met, met_at, edge, owner)
    spend, traffic = _days(rng)
    feedback = pd.DataFrame(
        {
            "external_id": [f"F{e}" for e in np.array(ext)[edge]],
            "kind": "review",
            "rating": pd.Series(rng.integers(2, 6, int(edge.sum())), dtype="Int64"),
            "created_at": _ts(edges),
        }
    )
    plans = {
        (m, ""): {"leads": 320.0, "target_leads": 140.0, "sales": 14.0, "new_customers": 9.0, "revenue": 42000.5}
        | {"spend": 15000.0, "cac": 1900.0}
        for m in ("2026-03", "2026-10", "2026-11")
    }
    plans[("2026-10", "google_ads")] = {"leads": 70.0, "spend": 4000.0, "revenue": 9000.0}
    return Dataset(team, tz, lead_df, verdicts, activities, deals, spend, traffic, feedback, plans)


def _deals(
    rng: np.random.Generator, ext: list[str], met: np.ndarray, met_at: list[datetime], edge: np.ndarray, owner: list
) -> pd.DataFrame:
    """Won and lost deals of met leads (an edge lead's is won at its own instant), a few without a
    customer, a few without a lead, and two won deals of one customer at one instant (a tie)."""
    rows = []
    customers = [f"C{i:03d}" for i in range(120)]
    for i in np.flatnonzero(met):
        closed = met_at[i] if edge[i] else met_at[i] + timedelta(seconds=int(rng.integers(3600, 15 * 86400)))
        if closed >= NOW:
            continue
        status = "won" if edge[i] or rng.random() < 0.55 else "lost"
        customer = None if rng.random() < 0.15 else customers[int(rng.integers(0, len(customers)))]
        rows.append((f"D{ext[i]}", ext[i], customer, closed, status, owner[i]))
    tie = rows[len(rows) // 2][3]
    rows += [("DTIE1", None, "CTIE", tie, "won", "U0REP1"), ("DTIE2", None, "CTIE", tie, "won", "U0REP2")]
    rows += [(f"DX{k}", None, None, rows[k * 7][3], "won", None) for k in range(5)]
    n = len(rows)
    return pd.DataFrame(
        {
            "external_id": [r[0] for r in rows],
            "lead_external_id": _obj([r[1] for r in rows]),
            "customer": _obj([r[2] for r in rows]),
            "product": _obj([["A", "B", "C", None][int(k)] for k in rng.integers(0, 4, n)]),
            "amount": rng.uniform(100, 9000, n).round(2),
            "margin": rng.uniform(0.1, 0.7, n).round(3),
            "status": [r[4] for r in rows],
            "closed_at": _ts([r[3] for r in rows]),
            "rep": _obj([r[5] for r in rows]),
        }
    )


def _days(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    days = pd.date_range(START.date(), NOW.date(), freq="D")
    grid = pd.MultiIndex.from_product([days, SPEND_CHANNELS], names=["day", "channel"]).to_frame(index=False)
    key = grid["day"].dt.strftime("%Y-%m-%d") + "|" + grid["channel"]
    campaign = _obj(
        [None if k == 3 else f"{c}-{k}" for c, k in zip(grid["channel"], rng.integers(0, 4, len(grid)), strict=True)]
    )
    spend = grid.assign(external_id=key, campaign=campaign, amount=rng.uniform(5, 400, len(grid)).round(2))
    traffic = grid.assign(external_id=key, visitors=rng.integers(10, 900, len(grid)))
    return spend, traffic


def first_won(deals: pd.DataFrame) -> np.ndarray:
    """Each customer's first won deal (a deal without a customer is its own customer); a tie on the
    closing time goes to the row written first."""
    won = deals[deals["status"] == "won"]
    who = won["customer"].where(won["customer"].notna(), "deal:" + won["external_id"])
    order = won.assign(who=who, pos=range(len(won))).sort_values(["closed_at", "pos"])
    return deals.index.isin(order.drop_duplicates("who").index)


def expected(ds: Dataset, first: date, end: date, channel: str | None = None) -> dict[str, float]:
    """The counted KPIs of the local days first … end (exclusive), from the generated rows."""
    a, b = ds.midnight(first), ds.midnight(end)
    lead_channel = dict(zip(ds.leads["external_id"], ds.leads["channel"], strict=True))

    def narrow(df: pd.DataFrame, column: str = "lead_external_id") -> pd.DataFrame:
        return df if channel is None else df[df[column].map(lead_channel) == channel]

    def between(df: pd.DataFrame, column: str) -> pd.DataFrame:
        return df[(df[column] >= a) & (df[column] < b)]

    leads = between(narrow(ds.leads, "external_id"), "created_at")
    acts = between(narrow(ds.activities), "occurred_at")
    deals = ds.deals.assign(first_won=first_won(ds.deals))
    won = between(narrow(deals[deals["status"] == "won"]), "closed_at")
    who = won["customer"].where(won["customer"].notna(), "deal:" + won["external_id"])
    days = [pd.Timestamp(d) for d in pd.date_range(first, end - timedelta(days=1), freq="D")]
    spend = ds.spend[ds.spend["day"].isin(days) & ((ds.spend["channel"] == channel) if channel else True)]
    traffic = ds.traffic[ds.traffic["day"].isin(days) & ((ds.traffic["channel"] == channel) if channel else True)]
    reviews = between(ds.feedback, "created_at")
    repeat = won[~won["first_won"] & won["customer"].notna()]["customer"]
    return {
        "leads": len(leads),
        "target_leads": int((leads["verdict"] == "target").sum()),
        "requests": int((acts["kind"] == "request").sum()),
        "meetings": int((acts["kind"] == "meeting").sum()),
        "sales": len(won),
        "revenue": float(won["amount"].sum()),
        "customers": who.nunique(),
        "new_customers": int(won["first_won"].sum()),
        "repeat_customers": repeat.nunique(),
        "spend": float(spend["amount"].sum()),
        "visitors": int(traffic["visitors"].sum()),
        **({} if channel else {"positive_reviews": int((reviews["rating"] >= 4).sum())}),
    }


def cohort(ds: Dataset, first: date, end: date) -> dict[str, int]:
    """Leads created in the days and how many of them have a target verdict, a meeting, a won deal."""
    leads = ds.leads[(ds.leads["created_at"] >= ds.midnight(first)) & (ds.leads["created_at"] < ds.midnight(end))]
    met = set(ds.activities.loc[ds.activities["kind"] == "meeting", "lead_external_id"])
    won = set(ds.deals.loc[ds.deals["status"] == "won", "lead_external_id"])
    return {
        "leads": len(leads),
        "target_leads": int((leads["verdict"] == "target").sum()),
        "meetings": int(leads["external_id"].isin(met).sum()),
        "sales": int(leads["external_id"].isin(won).sum()),
    }


def waiting(ds: Dataset, channel: str | None = None) -> int:
    """Leads with a card and no verdict."""
    w = ds.leads[ds.leads["card_ts"].notna() & ds.leads["verdict"].isna()]
    return len(w if channel is None else w[w["channel"] == channel])


def reps(ds: Dataset, first: date, end: date, channel: str | None = None) -> dict[tuple[str, str], float]:
    """(rep, figure) → leads owned, deals won and lost, won revenue of the local days first … end (exclusive)."""
    a, b = ds.midnight(first), ds.midnight(end)
    leads = ds.leads[(ds.leads["created_at"] >= a) & (ds.leads["created_at"] < b)]
    deals = ds.deals[(ds.deals["closed_at"] >= a) & (ds.deals["closed_at"] < b)]
    if channel is not None:
        lead_channel = dict(zip(ds.leads["external_id"], ds.leads["channel"], strict=True))
        leads = leads[leads["channel"] == channel]
        deals = deals[deals["lead_external_id"].map(lead_channel) == channel]
    out: dict[tuple[str, str], float] = {}
    for rep in set(leads["owner"].dropna()) | set(deals["rep"].dropna()):
        mine = deals[deals["rep"] == rep]
        won = mine[mine["status"] == "won"]
        out[(rep, "leads")] = int((leads["owner"] == rep).sum())
        out[(rep, "won")], out[(rep, "lost")] = len(won), int((mine["status"] == "lost").sum())
        out[(rep, "revenue")] = float(won["amount"].sum())
    return out
