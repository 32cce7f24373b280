"""Setting values: parsing, refusal naming the key, display."""

import pytest

from bot.workspace.keys import ConfigError, display_workdays, parse_assignments, parse_value, parse_workdays


@pytest.mark.parametrize(
    "raw,days",
    [
        ("mon-fri", ["mon", "tue", "wed", "thu", "fri"]),
        ("sun-thu", ["mon", "tue", "wed", "thu", "sun"]),
        ("mon,wed, fri", ["mon", "wed", "fri"]),
        ("fri-mon", ["mon", "fri", "sat", "sun"]),
        ("пн-пт", ["mon", "tue", "wed", "thu", "fri"]),
        ("Вс–Чт", ["mon", "tue", "wed", "thu", "sun"]),
        ("пн, ср,пт", ["mon", "wed", "fri"]),
    ],
)
def test_workdays(raw, days):
    assert parse_workdays(raw) == days


def test_workdays_display_as_ranges():
    assert display_workdays("mon,tue,wed,thu,fri") == "mon-fri"
    assert display_workdays("mon,tue,wed,thu,sun") == "sun-thu"
    assert display_workdays("mon,wed,fri") == "mon,wed,fri"


@pytest.mark.parametrize(
    "pair,key",
    [
        ("timezone=Moscow", "timezone"),
        ("language=de", "language"),
        ("leads_channel=general", "leads_channel"),
        ("sales=bob", "sales"),
        ("work_hours=9-18", "work_hours"),
        ("daily_digest=maybe", "daily_digest"),
        ("daily_digest_time=9am", "daily_digest_time"),
        ("workdays=funday", "workdays"),
        ("nonsense=1", "nonsense"),
    ],
)
def test_bad_values_name_their_key(pair, key):
    with pytest.raises(ConfigError) as err:
        parse_assignments([pair])
    assert err.value.key == key


def test_good_values():
    got = parse_assignments(
        [
            "timezone=Asia/Yekaterinburg",
            "language=RU",
            "leads_channel=#C0ABC",
            "admins=U1A, S2B, U1A",
            "work_hours=9:00-18:30",
            "daily_digest=off",
            "weekly_digest_time=8:05",
        ]
    )
    assert got == {
        "timezone": "Asia/Yekaterinburg",
        "language": "ru",
        "leads_channel": "C0ABC",
        "admins": ["U1A", "S2B"],
        "work_hours": "09:00-18:30",
        "daily_digest": False,
        "weekly_digest_time": "08:05",
    }
    assert parse_value("leads_channel", "") is None


def test_margin_threshold_is_a_percent_or_none():
    assert parse_value("margin_threshold", "40%") == 40.0
    assert parse_value("margin_threshold", "37,5") == 37.5
    assert parse_value("margin_threshold", "none") is None
    for bad in ("140", "high"):
        with pytest.raises(ConfigError) as err:
            parse_value("margin_threshold", bad)
        assert err.value.key == "margin_threshold"


def test_holidays_are_dates():
    assert parse_value("holidays", "2027-01-07, 2026-12-31 2027-01-07") == ["2026-12-31", "2027-01-07"]
    assert parse_value("holidays", "none") == []
    with pytest.raises(ConfigError) as err:
        parse_value("holidays", "31.12.2026")
    assert err.value.key == "holidays" and "31.12.2026" in err.value.message


def test_currency_is_an_iso_code_or_none():
    """`rub` is RUB; none shows amounts bare; a made-up or non-ISO code is refused naming the key."""
    assert parse_value("currency", " rub ") == "RUB"
    assert parse_value("currency", "USD") == "USD"
    assert parse_value("currency", "none") is None
    for bad in ("XYZ", "$", "rubles", "US"):
        with pytest.raises(ConfigError) as err:
            parse_value("currency", bad)
        assert err.value.key == "currency"


@pytest.mark.parametrize(
    "raw,why",
    [
        ("https://crm.example.com/leads/", "{external_id}"),
        ("ftp://crm.example.com/{external_id}", "https://"),
        ("javascript:alert(1)//{external_id}", "https://"),
        ("https:///{external_id}", "host"),
        ("https://crm.example.com/{team}/{external_id}", "braces"),
        ("https://crm.example.com/{external_id}}", "braces"),
        ("https://crm.example.com/a b/{external_id}", "space"),
        ("https://crm.example.com/<x>/{external_id}", "character"),
        ("https://crm.example.com/" + "a" * 1000 + "/{external_id}", "1000"),
    ],
)
def test_a_crm_lead_url_is_refused_unless_it_is_a_web_address_with_the_id(raw, why):
    with pytest.raises(ConfigError) as err:
        parse_value("crm_lead_url", raw)
    assert err.value.key == "crm_lead_url" and why in err.value.message


def test_a_crm_lead_url_takes_the_id_url_encoded():
    """The template is kept as given; the id goes in encoded, so `/`, `?`, `#` and spaces stay in the id."""
    from bot.workspace.formats import crm_link

    template = parse_value("crm_lead_url", " https://crm.example.com/leads/{external_id}?tab=info ")
    assert template == "https://crm.example.com/leads/{external_id}?tab=info"
    assert parse_value("crm_lead_url", "none") is None
    assert crm_link(template, "crm-1001") == "https://crm.example.com/leads/crm-1001?tab=info"
    assert crm_link(template, "a/b?c#d e") == "https://crm.example.com/leads/a%2Fb%3Fc%23d%20e?tab=info"
    assert crm_link("http://crm.local:8080/{external_id}", "Лид 7") == "http://crm.local:8080/%D0%9B%D0%B8%D0%B4%207"
