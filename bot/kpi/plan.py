"""What a plan holds: the KPIs a month can be planned for, and which way each is kept."""

from __future__ import annotations

# In the order plans are shown: marketing's numbers, then sales', then the money.
PLANNED = ("leads", "target_leads", "sales", "new_customers", "revenue", "spend", "cac")
# A budget (spend) or a cap (CAC) is kept by staying at or under it; every other plan by reaching it.
CEILINGS = frozenset({"spend", "cac"})
