"""A year of a realistic workspace, generated (reproducible for a seed): leads, deals, activities, spend,
traffic, feedback and verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from bot.deps import Deps
from storage.repos import imports as bulk_repo
from storage.repos import workspaces as ws_repo

TEAM = "TDEMO"
TZ = "Europe/Berlin"


@dataclass(frozen=True)
class Channel:
    name: str
    campaigns: tuple[str | None, ...]
    leads_per_day: float
    target_share: float
    spend_per_day: float
    visitors_per_lead: float


CHANNELS = (
    Channel("google_ads", ("brand", "generic"), 14, 0.55, 900, 28),
    Channel("facebook", ("lookalike", "retargeting"), 11, 0.30, 650, 45),
    Channel("seo", (None,), 8, 0.60, 0, 60),
    Channel("email", ("newsletter",), 4, 0.50, 60, 15),
    Channel("referral", (None,), 2.5, 0.80, 0, 10),
    Channel("events", ("expo",), 1.5, 0.45, 420, 5),
    Channel("display", ("banners",), 3, 0.04, 380, 90),
)
# name, price, margin, weight of demand
PRODUCTS = (
    ("CRM Starter", 1200, 0.35, 5),
    ("CRM Pro", 4800, 0.45, 3),
    ("Analytics add-on", 900, 0.55, 2),
    ("Onboarding service", 2500, 0.22, 2),
    ("Enterprise support", 9000, 0.72, 0.15),
)
REPS = ("U0DEMOANNA", "U0DEMOBORIS", "U0DEMOCLARA", "U0DEMODMITRY", "U0DEMOELENA")
HEAD_OF_SALES = "U0DEMOHEAD"
REP_SKILL = (1.15, 1.0, 1.05, 0.5, 0.95)
VERDICTS_BAD = ("not_target", "spam", "duplicate", "cant_reach", "not_now")
REASONS = {
    "not_target": (
        "no_budget",
        "wrong_region",
        "no_real_need",
        "b2c_instead_of_b2b",
        "student_or_job_seeker",
    ),
    "spam": (None,),  # Spam may go without a reason
    "duplicate": ("already_in_crm",),
    "cant_reach": ("wrong_contact_data",),
    "not_now": ("next_quarter",),
}


def generate(deps: Deps, *, seed: int, today: date) -> None:
    """Fill the demo workspace through the product's own storage layer."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(today - timedelta(days=365), today - timedelta(days=1), freq="D")
    weekday_factor = np.where(days.day_of_week < 5, 1.0, 0.35)
    growth = np.linspace(0.8, 1.2, len(days))
    leads, spend, traffic = [], [], []
    for ch in CHANNELS:
        per_campaign = ch.leads_per_day / len(ch.campaigns)
        for camp in ch.campaigns:
            per_day = rng.poisson(per_campaign * weekday_factor * growth)
            for day, k in zip(days, per_day, strict=True):
                if k:
                    leads.append((day, ch.name, camp, int(k), ch.target_share))
            if ch.spend_per_day:
                cost = ch.spend_per_day / len(ch.campaigns) * growth * rng.uniform(0.8, 1.2, len(days))
                spend.append(pd.DataFrame({"day": days, "channel": ch.name, "campaign": camp, "amount": cost.round(2)}))
        visitors = rng.poisson(ch.leads_per_day * ch.visitors_per_lead * weekday_factor * growth)
        traffic.append(pd.DataFrame({"day": days, "channel": ch.name, "visitors": visitors}))
    rows = pd.DataFrame(leads, columns=["day", "channel", "campaign", "k", "share"])
    rows = rows.loc[rows.index.repeat(rows["k"])].reset_index(drop=True)
    n = len(rows)
    seconds = rng.integers(8 * 3600, 19 * 3600, n)
    local = rows["day"] + pd.to_timedelta(seconds, unit="s")
    created = local.dt.tz_localize(TZ, nonexistent="shift_forward", ambiguous=False).dt.tz_convert("UTC")
    created = created.astype("datetime64[us, UTC]")
    order = np.argsort(created.to_numpy(), kind="stable")
    rows, created = rows.iloc[order].reset_index(drop=True), created.iloc[order].reset_index(drop=True)
    ext = pd.Series([f"L{i:06d}" for i in range(1, n + 1)])
    owner_idx = rng.integers(0, len(REPS), n)
    product_w = np.array([p[3] for p in PRODUCTS], dtype=float)
    product_idx = rng.choice(len(PRODUCTS), n, p=product_w / product_w.sum())
    is_target = rng.random(n) < rows["share"].to_numpy()
    bad = rng.choice(VERDICTS_BAD, n, p=[0.5, 0.15, 0.1, 0.15, 0.1])
    verdict = np.where(is_target, "target", bad)
    verdict_at = created + pd.to_timedelta(rng.integers(600, 3 * 86400, n), unit="s")
    pending = verdict_at > pd.Timestamp(datetime.combine(today, datetime.min.time()), tz=UTC)
    verdict = np.where(pending, np.array(None), verdict)
    companies = [f"Company {i % 4000:04d}" for i in rng.integers(0, 10**6, n)]
    lead_df = pd.DataFrame(
        {
            "external_id": ext,
            "created_at": created,
            "name": [f"Contact {i}" for i in range(1, n + 1)],
            "company": companies,
            "email": [f"contact{i}@example.com" for i in range(1, n + 1)],
            "channel": rows["channel"].astype("string"),
            "campaign": rows["campaign"].astype("string"),
            "utm_source": rows["channel"].astype("string"),
            "utm_campaign": rows["campaign"].astype("string"),
            "product": pd.Series([PRODUCTS[i][0] for i in product_idx], dtype="string"),
            "owner": pd.Series([REPS[i] for i in owner_idx], dtype="string"),
            "verdict": pd.Series(verdict, dtype="string"),
            "verdict_at": verdict_at.where(~pending),
        }
    )
    # The sales side: inbound requests, meetings for target leads, deals from meetings.
    req = rng.random(n) < 0.6
    skill = np.array(REP_SKILL)[owner_idx]
    meet = is_target & ~pending & (rng.random(n) < 0.55)
    meet_at = created + pd.to_timedelta(rng.integers(86400, 8 * 86400, n), unit="s")
    sale_p = 0.42 * skill * np.where(product_idx == 4, 0.3, 1.0)
    outcome = rng.random(n)
    won = meet & (outcome < sale_p)
    lost = meet & ~won & (outcome < sale_p + 0.4)
    closed_at = meet_at + pd.to_timedelta(rng.integers(2 * 86400, 25 * 86400, n), unit="s")
    now = pd.Timestamp(datetime.combine(today, datetime.min.time()), tz=UTC)
    still_open = meet & (won | lost) & (closed_at >= now)
    won, lost = won & ~still_open, lost & ~still_open
    activities = pd.concat(
        [
            pd.DataFrame(
                {
                    "external_id": "R" + ext[req],
                    "kind": "request",
                    "occurred_at": created[req],
                    "rep": lead_df["owner"][req],
                    "lead_external_id": ext[req],
                }
            ),
            pd.DataFrame(
                {
                    "external_id": "M" + ext[meet & (meet_at < now)],
                    "kind": "meeting",
                    "occurred_at": meet_at[meet & (meet_at < now)],
                    "rep": lead_df["owner"][meet & (meet_at < now)],
                    "lead_external_id": ext[meet & (meet_at < now)],
                }
            ),
        ],
        ignore_index=True,
    )
    dealt = won | lost | still_open
    price = np.array([p[1] for p in PRODUCTS])[product_idx] * rng.uniform(0.8, 1.3, n)
    margin = np.array([p[2] for p in PRODUCTS])[product_idx] + rng.normal(0, 0.03, n)
    deals = pd.DataFrame(
        {
            "external_id": "D" + ext[dealt],
            "lead_external_id": ext[dealt],
            "customer": pd.Series(companies, dtype="string")[dealt],
            "product": lead_df["product"][dealt],
            "amount": price[dealt].round(2),
            "margin": margin[dealt].round(3),
            "status": pd.Series(np.where(won, "won", np.where(lost, "lost", "open")), dtype="string")[dealt],
            "created_at": meet_at[dealt],
            "closed_at": closed_at.where(won | lost)[dealt],
            "rep": lead_df["owner"][dealt],
        }
    )
    fb_n = len(days)
    fb_kind = rng.choice(["review", "complaint", "wish"], fb_n, p=[0.6, 0.2, 0.2])
    fb_time = (
        (days + pd.to_timedelta(rng.integers(9 * 3600, 18 * 3600, fb_n), unit="s"))
        .tz_localize(TZ, nonexistent="shift_forward", ambiguous=False)
        .tz_convert("UTC")
    )
    feedback = pd.DataFrame(
        {
            "external_id": [f"F{i:05d}" for i in range(fb_n)],
            "kind": fb_kind,
            "created_at": pd.Series(fb_time).astype("datetime64[us, UTC]"),
            "rating": pd.Series(
                np.where(fb_kind == "review", rng.choice([3, 4, 5, 5, 2], fb_n), np.array(None)), dtype="Int64"
            ),
            "text": pd.Series(fb_kind).map(
                {
                    "review": "Setup was quick, the reports are clear.",
                    "complaint": "Invoices arrive late.",
                    "wish": "An export to our ERP would help.",
                }
            ),
            "source": "support",
        }
    )
    with deps.write() as s:
        ws_repo.update(
            s,
            team_id=TEAM,
            values={
                "name": "Demo Co",
                "timezone": TZ,
                "currency": "USD",
                "head_of_sales": HEAD_OF_SALES,
                "digest_channel": "C0DEMODIGEST",
                "leads_channel": "C0DEMOLEADS",
                "sales": list(REPS),
                "marketing": ["U0DEMOMARK"],
            },
        )
    with deps.write() as s, bulk_repo.bulk(s) as w:
        w.upsert("leads", TEAM, lead_df)
        w.upsert("deals", TEAM, deals)
        w.upsert("activities", TEAM, activities)
        w.upsert("spend", TEAM, _as_days(pd.concat(spend, ignore_index=True)))
        w.upsert("traffic", TEAM, _as_days(pd.concat(traffic, ignore_index=True)))
        w.upsert("feedback", TEAM, feedback)
        judged = lead_df[lead_df["verdict"].notna()]
        reasons = [
            None if v == "target" else REASONS[v][int(r) % len(REASONS[v])]
            for v, r in zip(judged["verdict"], rng.integers(0, 100, len(judged)), strict=True)
        ]
        w.verdict_history(
            TEAM,
            pd.DataFrame(
                {
                    "external_id": judged["external_id"],
                    "verdict": judged["verdict"],
                    "reason": pd.Series(reasons, index=judged.index, dtype="string"),
                    "user_id": judged["owner"],
                    "created_at": judged["verdict_at"],
                }
            ),
        )


def _as_days(df: pd.DataFrame) -> pd.DataFrame:
    key_parts = [df["day"].dt.strftime("%Y-%m-%d"), df["channel"].astype(str)]
    if "campaign" in df:
        key_parts.append(df["campaign"].astype("string").fillna(""))
    key = key_parts[0].str.cat(key_parts[1:], sep="|")
    return df.assign(external_id=key, day=df["day"].dt.tz_localize(None) if df["day"].dt.tz else df["day"])
