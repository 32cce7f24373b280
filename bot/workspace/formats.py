"""Two settings whose values are formats: the currency amounts are shown in, and the CRM page of a lead.
Pure; bot.workspace.keys registers them."""

from __future__ import annotations

import functools
import re
from urllib.parse import quote, urlsplit

from babel.numbers import list_currencies

PLACEHOLDER = "{external_id}"
URL_LIMIT = 1000  # Slack takes 3,000 characters in a button's url; a template leaves room for the id
_NONE = ("", "-", "none")


@functools.cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def parse_currency(v: str) -> str | None:
    """An ISO 4217 code (`usd` → `USD`); `none` shows amounts without a symbol."""
    v = v.strip()
    if v.lower() in _NONE:
        return None
    code = v.upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or code not in _currencies():
        raise ValueError(f"'{v[:20]}' is not an ISO 4217 currency code (like USD, EUR, RUB; none for no symbol)")
    return code


def parse_crm_lead_url(v: str) -> str | None:
    """`https://crm.example.com/leads/{external_id}`: an http(s) address with the lead's external id in it,
    and no other placeholder; `none` takes the link off the cards."""
    v = v.strip()
    if v.lower() in _NONE:
        return None
    if len(v) > URL_LIMIT:
        raise ValueError(f"the address is longer than {URL_LIMIT} characters")
    if PLACEHOLDER not in v:
        raise ValueError(f"the address has no {PLACEHOLDER} (where the lead's id goes)")
    rest = v.replace(PLACEHOLDER, "")
    if "{" in rest or "}" in rest:
        raise ValueError(f"only {PLACEHOLDER} may stand in braces")
    if any(c.isspace() or ord(c) < 32 or c in '<>|"' for c in rest):
        raise ValueError("the address holds a space or a character no address has")
    try:
        parts = urlsplit(crm_link(v, "1"))
    except ValueError:
        raise ValueError("this is not a web address") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("the address must start with https:// or http:// and name a host")
    return v


def crm_link(template: str, external_id: str) -> str:
    """The lead's CRM page: its external id URL-encoded into the template (a `/`, `?` or `#` in the id
    stays part of the id)."""
    # A dot segment ('.', '..') would lead a browser out of the lead pages: its dots are encoded too.
    encoded = quote(external_id, safe="")
    return template.replace(PLACEHOLDER, encoded.replace(".", "%2E") if not encoded.strip(".") else encoded)
