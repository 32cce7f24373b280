"""The demo's lead cards and their threads: the last weeks' leads as if posted in the leads channel a
minute after they came in, a few replies from sales under rejected ones, and a marketing channel, so
the weekly lead-quality report and the digests' sales block have something to tell."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from bot.demo.data import TEAM
from bot.deps import Deps
from bot.workspace.store import save_settings
from storage.repos import leads as leads_repo
from storage.repos import quality, threads

CARDED_DAYS = 21
LEADS_CHANNEL, MARKETING_CHANNEL = "C0DEMOLEADS", "C0DEMOMARKETING"
REPLIES = (
    "Called twice, they only wanted a price list for a student project.",
    "Budget is frozen until Q2, asked us to come back in spring.",
    "They already use a competitor and signed for two more years.",
    "Wrong region: they only operate in Kazakhstan, we do not serve it yet.",
    "Same company as last week's lead, another person from their finance team.",
    "Phone number does not exist, the e-mail bounced.",
    "Interested, but the decision is made at the head office abroad.",
    "A reseller looking for a white-label deal, not an end customer.",
)


def add_discussion(deps: Deps, *, seed: int, now: datetime) -> None:
    rng = np.random.default_rng(seed + 1)
    save_settings(deps, TEAM, {"marketing_channel": MARKETING_CHANNEL})
    with deps.read() as s:
        recent = quality.recent_leads(s, team_id=TEAM, since=now - timedelta(days=CARDED_DAYS))
    with deps.write() as s:
        for lead_id, created, _verdict, _owner in recent:
            ts = f"{int(created.timestamp()) + 60}.{lead_id % 10**6:06d}"
            leads_repo.set_cards(
                s, team_id=TEAM, cards=[(lead_id, LEADS_CHANNEL, ts)], now=created + timedelta(minutes=1)
            )
        rejected = [(i, at, owner) for i, at, v, owner in recent if v not in (None, "target")]
        picked = rng.choice(len(rejected), size=min(len(REPLIES) * 2, len(rejected)), replace=False)
        for n, k in enumerate(sorted(int(x) for x in picked)):
            lead_id, created, owner = rejected[k]
            at = min(created + timedelta(hours=2 + n % 5), now)
            threads.add_reply(
                s,
                team_id=TEAM,
                lead_id=lead_id,
                channel=LEADS_CHANNEL,
                ts=f"{int(at.timestamp())}.{n:06d}",
                user_id=owner,
                text=REPLIES[n % len(REPLIES)],
                at=at,
            )
