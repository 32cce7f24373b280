"""The text kit (bot.slack.kit) and the modal helpers (bot.slack.modals): escaping, cutting, limits."""

from __future__ import annotations

import json

import pytest

from bot import ids
from bot.slack import modals
from bot.slack.kit import (
    MAX_MESSAGE_BLOCKS,
    SECTION_LIMIT,
    Message,
    Mrkdwn,
    bold,
    channel_link,
    chunks,
    context,
    escape,
    fit,
    header,
    italic,
    join,
    md,
    mention,
    notice,
    principal,
    principals,
    quote,
    section,
    shorten,
    text_messages,
)
from bot.text import from_slack
from tests.blockkit import (
    EVIL,
    assert_escaped,
    assert_fits,
    assert_no_live_markup,
    broken_markup,
    mrkdwn_texts,
    plain_texts,
    submission_state,
)

# --- Mrkdwn and escaping --------------------------------------------------------------------------


def test_escape_replaces_slacks_three_control_characters():
    """`&`, `<` and `>` become entities, `&` first, so a literal entity stays literal."""
    assert escape("<!channel> a & b &lt;") == "&lt;!channel&gt; a &amp; b &amp;lt;"


def test_escape_leaves_quotes_and_other_characters_alone():
    """Slack has no entity for quotes: unlike HTML escaping they pass unchanged."""
    assert escape('it\'s "fine" * _ ~ `') == 'it\'s "fine" * _ ~ `'


def test_escape_does_not_escape_mrkdwn_twice():
    """Text already built with the kit passes through escape unchanged."""
    safe = Mrkdwn("<@U123> &amp;")
    assert escape(safe) == "<@U123> &amp;"
    assert escape(escape("a & b")) == "a &amp; b"


def test_only_the_kits_own_text_is_trusted_not_anything_claiming_to_be_markup():
    """An HTML Markup, or any object with `__html__`, is outside text like any other: escaped for Slack."""
    import markupsafe

    class Claims:
        def __html__(self) -> str:
            return "<!channel>"

        def __str__(self) -> str:
            return "<!here>"

    assert escape(markupsafe.Markup("<!channel>")) == "&lt;!channel&gt;"
    assert md("{} {}", markupsafe.Markup("<@U0BOSS>"), Claims()) == "&lt;@U0BOSS&gt; &lt;!channel&gt;"
    assert join([Claims()]) == "&lt;!here&gt;"


def test_format_escapes_its_arguments():
    """`Mrkdwn("*{}*").format("<x>")` escapes the value, not the template."""
    assert Mrkdwn("*{}*").format("<x>") == "*&lt;x&gt;*"
    assert Mrkdwn("<@{u}>").format(u="U1> <!channel") == "<@U1&gt; &lt;!channel>"


def test_md_escapes_plain_values_and_keeps_mrkdwn_values():
    """md() escapes str values but keeps values already built with the kit."""
    text = md("{} said {}", mention("U123"), "<!here> & co")
    assert text == "<@U123> said &lt;!here&gt; &amp; co"
    assert isinstance(text, Mrkdwn)


def test_adding_a_plain_string_escapes_it_on_either_side():
    """Mrkdwn + str and str + Mrkdwn both escape the str."""
    assert Mrkdwn("*a*") + "<!channel>" == "*a*&lt;!channel&gt;"
    assert "<!channel>" + Mrkdwn("*a*") == "&lt;!channel&gt;*a*"
    assert isinstance("x" + Mrkdwn("y"), Mrkdwn)


def test_percent_formatting_escapes_too():
    """The %-operator escapes its values like format()."""
    assert Mrkdwn("> %s") % "<@U0EVIL>" == "> &lt;@U0EVIL&gt;"


def test_join_escapes_plain_parts_and_keeps_mrkdwn_parts():
    """join() escapes plain strings and leaves kit text as it is."""
    assert join(["<a>", Mrkdwn("<@U1>"), "x & y"]) == "&lt;a&gt;\n<@U1>\nx &amp; y"
    assert join([mention("U1"), mention("U2")], ", ") == "<@U1>, <@U2>"


def test_join_of_nothing_is_empty_and_falsy():
    """An empty join is empty Mrkdwn, so `join(...) or fallback` picks the fallback."""
    assert join([]) == ""
    assert not join([])
    assert isinstance(join([]), Mrkdwn)


def test_bold_and_italic_escape_their_text():
    """bold/italic wrap escaped text in the markers."""
    assert bold("<!channel>") == "*&lt;!channel&gt;*"
    assert italic("a & b") == "_a &amp; b_"


def test_quote_folds_whitespace_escapes_and_cuts():
    """quote() makes one blockquote line of escaped text cut at the limit (before escaping)."""
    assert quote("  <!here>\n\n  call   me ") == "> &lt;!here&gt; call me"
    # 10 characters allowed: 9 of the text and the ellipsis, then "&" is escaped.
    assert quote("abcdefgh&ijkl", 10) == "> abcdefgh&amp;…"


def test_shorten_keeps_short_text_and_cuts_long_text_to_the_limit():
    """shorten() folds whitespace and cuts to `limit` characters with an ellipsis."""
    assert shorten("a\n b", 5) == "a b"
    assert shorten("abcdefghij", 5) == "abcd…"
    assert len(shorten("x" * 1000, 300)) == 300


# --- mentions and links ---------------------------------------------------------------------------


def test_mention_of_a_user_id_is_live():
    """A U… or W… id becomes a live mention."""
    assert mention("U123") == "<@U123>"
    assert mention("W0ABC") == "<@W0ABC>"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U0EVIL>", "&lt;@U0EVIL&gt;"),
        ("Anna & Bob", "Anna &amp; Bob"),
        ("u123", "u123"),
        ("U12 3", "U12 3"),
        (None, ""),
        ("", ""),
    ],
)
def test_mention_of_anything_else_is_escaped_text(given, shown):
    """A CRM owner's name or a hostile string is shown as text, never as a mention."""
    assert mention(given) == shown


@pytest.mark.parametrize("make", [mention, principal, channel_link])
def test_an_id_with_a_trailing_newline_is_not_taken_for_an_id(make):
    """`U0ABC\\n` (say, a CRM cell) is not an id: no mention, link or group with a newline inside."""
    given = {"mention": "U0ABC\n", "principal": "S0ABC\n", "channel_link": "C0ABC\n"}[make.__name__]
    assert not broken_markup(make(given))


def test_principal_makes_user_and_group_mentions():
    """A user id is `<@U…>`, a user-group id `<!subteam^S…>`, anything else escaped text."""
    assert principal("U1") == "<@U1>"
    assert principal("S0SALES") == "<!subteam^S0SALES>"
    assert principal("<!subteam^S0SALES>") == "&lt;!subteam^S0SALES&gt;"
    assert principals(["U1", "S2", "x&y"]) == "<@U1>, <!subteam^S2>, x&amp;y"


def test_channel_link_of_a_channel_id_is_live_and_anything_else_escaped():
    """`C1` links the channel; `<#C1>` or a name is shown as text."""
    assert channel_link("C1") == "<#C1>"
    assert channel_link("G0PRIV") == "<#G0PRIV>"
    assert channel_link("<#C1>") == "&lt;#C1&gt;"
    assert channel_link("general & more") == "general &amp; more"
    assert channel_link(None) == ""


# --- fit and chunks -------------------------------------------------------------------------------


def test_fit_leaves_text_within_the_limit_alone():
    """Text at the limit is returned unchanged."""
    text = escape("a & b")
    assert fit(text, 9) is text


def test_fit_cuts_to_the_limit_with_an_ellipsis():
    """Too long: cut so that text plus "…" is exactly the limit."""
    assert fit(Mrkdwn("abcdefghij"), 5) == "abcd…"


@pytest.mark.parametrize("limit", range(4, 12))
def test_fit_never_cuts_inside_an_entity(limit):
    """`abc&amp;defgh` cut at any length keeps `&amp;` whole or drops it whole."""
    text = escape("abc&defgh")  # abc&amp;defgh, 13 characters
    cut = fit(text, limit)
    assert len(cut) <= limit
    assert not broken_markup(cut)
    assert cut.endswith("…")
    # The entity runs from index 3 to 7: a cut at 4..7 falls inside it and must go back to 3.
    expected = {4: "abc…", 5: "abc…", 6: "abc…", 7: "abc…", 8: "abc…", 9: "abc&amp;…"}
    if limit in expected:
        assert cut == expected[limit]


@pytest.mark.parametrize("limit", range(5, 14))
def test_fit_never_cuts_inside_a_mention(limit):
    """`hi <@U12345> there` cut at any length keeps the mention whole or drops it whole."""
    text = md("hi {} there", mention("U12345"))  # the mention runs from index 3 to 11
    cut = fit(text, limit)
    assert len(cut) <= limit
    assert not broken_markup(cut)
    if limit <= 12:
        assert cut == "hi …"
    else:
        assert cut == "hi <@U12345>…"


def test_fit_on_a_long_list_of_mentions_keeps_every_mention_it_shows_whole():
    """300 mentions fitted into 2,000 characters: at most 2,000, each shown mention whole."""
    text = principals([f"U{i:07d}" for i in range(300)])
    cut = fit(text, 2000)
    assert len(cut) <= 2000
    assert not broken_markup(cut)
    # Each mention is 11 characters plus ", ": 153 of them fill 2,000 characters.
    assert cut.count("<@U") == 153


def test_chunks_keeps_pieces_within_the_limit_and_every_line():
    """500 numbered lines split at 2,900 characters: each piece fits and all lines come back in order."""
    lines = [f"line {i:03d} " + "x" * (i % 90) for i in range(500)]
    text = join(lines)
    parts = chunks(text)
    assert all(len(p) <= SECTION_LIMIT for p in parts)
    assert "\n".join(parts).split("\n") == lines
    assert len(parts) > 1


def test_chunks_splits_only_on_line_breaks():
    """Three 40-character lines with a limit of 90: two pieces, no line split between them."""
    lines = ["a" * 40, "b" * 40, "c" * 40]
    assert chunks(join(lines), 90) == ["a" * 40 + "\n" + "b" * 40, "c" * 40]


def test_chunks_cuts_a_line_longer_than_the_limit_without_breaking_an_entity():
    """A single escaped line of 5,000 characters is cut to the limit, entities whole."""
    text = escape("&" * 1000)  # 5,000 characters of &amp;
    parts = chunks(text, 2900)
    assert len(parts) == 1
    assert len(parts[0]) <= 2900
    assert not broken_markup(parts[0])


def test_chunks_of_empty_text_is_empty():
    """Nothing to split gives no pieces."""
    assert chunks(Mrkdwn("")) == []


# --- block builders -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["raw str", "<!channel>"])
def test_mrkdwn_builders_refuse_plain_strings(raw):
    """section, fields, context and Message take only kit text: a str raises TypeError."""
    with pytest.raises(TypeError):
        section(raw)
    with pytest.raises(TypeError):
        section(fields=[Mrkdwn("ok"), raw])
    with pytest.raises(TypeError):
        context(Mrkdwn("ok"), raw)
    with pytest.raises(TypeError):
        Message(text=raw, blocks=[])


def test_section_fits_long_text_and_fields_to_slacks_limits():
    """A 10,000-character section and two 5,000-character fields are cut to 3,000 and 2,000."""
    block = section(escape("x" * 10_000), fields=[escape("y" * 5000), escape("&" * 1000)]).to_dict()
    assert len(block["text"]["text"]) == 3000
    assert [len(f["text"]) for f in block["fields"]] == [2000, 1996]  # 399 whole &amp; and "…"
    assert not broken_markup(block["fields"][1]["text"])


def test_header_is_plain_text_cut_to_150():
    """A header carries outside text as it is (it is not parsed) and is cut to 150 characters."""
    text = header("<!channel> & co").to_dict()["text"]
    assert (text["type"], text["text"]) == ("plain_text", "<!channel> & co")
    long = header("h" * 200).to_dict()["text"]["text"]
    assert len(long) == 150
    assert long.endswith("…")


def test_context_holds_each_text_as_mrkdwn():
    """context() makes one mrkdwn element per text."""
    block = context(escape("<!here>"), bold("b")).to_dict()
    assert [e["text"] for e in block["elements"]] == ["&lt;!here&gt;", "*b*"]
    assert {e["type"] for e in block["elements"]} == {"mrkdwn"}


def test_message_takes_fifty_blocks_and_refuses_fifty_one():
    """Slack's 50-block message limit is enforced when the message is built."""
    blocks = [section(Mrkdwn(f"{i}")) for i in range(MAX_MESSAGE_BLOCKS + 1)]
    assert len(Message(text=Mrkdwn("t"), blocks=blocks[:50]).blocks) == 50
    with pytest.raises(ValueError):
        Message(text=Mrkdwn("t"), blocks=blocks)


def test_message_to_kwargs_is_text_and_block_dicts():
    """to_kwargs() is what chat.postMessage takes: the text as str and the blocks as dicts."""
    kwargs = notice(escape("<!channel>")).to_kwargs()
    assert kwargs == {
        "text": "&lt;!channel&gt;",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "&lt;!channel&gt;"}}],
    }
    assert type(kwargs["text"]) is str


def test_notice_with_hostile_text_is_safe():
    """A notice made of outside text shows it escaped in its section and its text."""
    msg = notice(md("You wrote: {}", EVIL))
    assert_fits(msg)
    assert_escaped(msg)
    assert len(mrkdwn_texts(msg)) == 2


def test_text_messages_split_long_text_into_fitting_messages_losing_no_line():
    """2,000 lines of ~60 characters: every message fits, its text ≤ 300, all lines present in order."""
    lines = [f"{i:04d} " + escape("<@U0EVIL> & ") + "z" * 40 for i in range(2000)]
    messages = text_messages(join(lines))
    assert len(messages) > 1
    shown: list[str] = []
    for msg in messages:
        d = assert_fits(msg)
        assert len(d["blocks"]) <= 40
        assert 0 < len(d["text"]) <= 300
        for block in d["blocks"]:
            shown += block["text"]["text"].split("\n")
    assert shown == lines
    assert_no_live_markup(mrkdwn_texts(*messages))


def test_text_messages_of_short_text_is_one_message():
    """A short text is one message with one section; its text is the section's text."""
    (msg,) = text_messages(Mrkdwn("*hello*"))
    assert msg.to_kwargs() == {"text": "*hello*", "blocks": [section(Mrkdwn("*hello*")).to_dict()]}


# --- modals ---------------------------------------------------------------------------------------

ONE = modals.text_input("k", "L", None)  # a modal needs at least one block


def test_modal_cuts_its_title_and_names_the_workspace_in_its_metadata():
    """A long title is cut to 24 characters; private_metadata holds the meta and the team id."""
    view = modals.modal("en", "T1", "cb", "A title much longer than twenty-four", [ONE], lead_id=5)
    d = assert_fits(view)
    assert d["title"]["text"] == "A title much longer tha…"
    assert (d["submit"]["text"], d["close"]["text"]) == ("Save", "Cancel")
    assert json.loads(d["private_metadata"]) == {"lead_id": 5, "team_id": "T1"}


def test_modal_buttons_in_russian():
    """Save and Cancel follow the workspace's language."""
    d = modals.modal("ru", "T1", "cb", "Заголовок", [ONE]).to_dict()
    assert (d["submit"]["text"], d["close"]["text"]) == ("Сохранить", "Отмена")


def test_option_labels_are_plain_text_cut_to_75():
    """An option label is shown as it is (plain text) and cut to 75 characters."""
    assert modals.option("v", "<!channel>").to_dict()["text"] == {
        "type": "plain_text",
        "text": "<!channel>",
        "emoji": True,
    }
    label = modals.option("v", "g" * 200).to_dict()["text"]["text"]
    assert len(label) == 75
    assert label.endswith("…")


def test_select_marks_the_current_option_and_keeps_100_options():
    """The current value is the initial option; Slack's 100-option limit is kept."""
    block = modals.select("k", "Label", [(str(i), f"n{i}") for i in range(150)], "7").to_dict()
    element = block["element"]
    assert element["action_id"] == ids.VALUE
    assert len(element["options"]) == 100
    assert element["initial_option"]["value"] == "7"


def test_text_input_multiline_takes_3000_unless_told_less():
    """A multiline input is capped at Slack's 3,000 characters; a single line has no cap of its own."""
    multi = modals.text_input("k", "L", "v", multiline=True).to_dict()["element"]
    single = modals.text_input("k", "L", None).to_dict()["element"]
    short = modals.text_input("k", "L", None, multiline=True, max_length=1000).to_dict()["element"]
    assert (multi["max_length"], multi["initial_value"]) == (3000, "v")
    assert "max_length" not in single and "initial_value" not in single
    assert short["max_length"] == 1000


def test_people_inputs_split_users_from_groups():
    """Users go to the user picker, S… groups to the group picker labelled with their names."""
    people = ["U1", "S1", "W2", "S2"]
    users = modals.users_input("sales", "Sales", people).to_dict()
    groups = modals.groups_input("sales", "Groups", people, {"S1": "<!subteam^S1> & co"}).to_dict()
    assert users["element"]["initial_users"] == ["U1", "W2"]
    assert groups["block_id"] == "sales" + ids.GROUPS_SUFFIX
    assert groups["element"]["action_id"] == ids.USERGROUPS
    assert [(o["value"], o["text"]["text"]) for o in groups["element"]["initial_options"]] == [
        ("S1", "<!subteam^S1> & co"),
        ("S2", "S2"),
    ]


def test_picked_groups_keeps_the_old_groups_when_the_form_has_no_group_field():
    """Without a `<key>_groups` block the groups set before stay; with it, the picked ones count."""
    before = ["U1", "S1", "S2"]
    assert modals.picked_groups({}, "sales", before) == ["S1", "S2"]
    state = {"sales_groups": {ids.USERGROUPS: {"selected_options": [{"value": "S9"}]}}}
    assert modals.picked_groups(state, "sales", before) == ["S9"]
    assert modals.picked_groups({"sales_groups": {}}, "sales", before) == []


def test_field_reads_a_submitted_element_and_tolerates_gaps():
    """field() gives the element's dict, `{}` for a missing block or a malformed value."""
    state = {"a": {ids.VALUE: {"value": "x"}}, "b": {ids.VALUE: "oops"}, "c": None}
    assert modals.field(state, "a") == {"value": "x"}
    assert modals.field(state, "b") == {}
    assert modals.field(state, "c") == {}
    assert modals.field(state, "missing") == {}


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ({"private_metadata": '{"team_id": "T1", "lead_id": 5}'}, {"team_id": "T1", "lead_id": 5}),
        ({"private_metadata": ""}, {}),
        ({"private_metadata": None}, {}),
        ({}, {}),
        ({"private_metadata": "not json"}, {}),
        ({"private_metadata": "[1, 2]"}, {}),
        ({"private_metadata": "null"}, {}),
        ({"private_metadata": "42"}, {}),
        ({"private_metadata": 42}, {}),
    ],
)
def test_metadata_reads_private_metadata_safely(view, expected):
    """metadata() gives back the JSON object written, `{}` for anything else."""
    assert modals.metadata(view) == expected


def test_metadata_reads_back_what_modal_wrote():
    """A modal's own private_metadata round-trips through metadata()."""
    view = modals.modal("en", "T1", "cb", "T", [ONE], meeting_id=3, channel="C1")
    assert modals.metadata(view.to_dict()) == {"meeting_id": 3, "channel": "C1", "team_id": "T1"}


def test_submission_state_helper_gives_the_initial_values_back():
    """The test helper that simulates an untouched submission reads each input's initial value."""
    view = modals.modal(
        "en",
        "T1",
        "cb",
        "T",
        [
            modals.text_input("t", "T", "hello"),
            modals.select("s", "S", [("a", "A"), ("b", "B")], "b"),
            modals.users_input("u", "U", ["U1"]),
        ],
    )
    state = submission_state(view)
    assert modals.field(state, "t")["value"] == "hello"
    assert modals.field(state, "s")["selected_option"]["value"] == "b"
    assert modals.field(state, "u")["selected_users"] == ["U1"]
    assert plain_texts(view)[0] == "T"


@pytest.mark.parametrize(
    "formatted,typed",
    [
        ("R&amp;D &lt;b&gt; costs &amp;lt; 5", "R&D <b> costs &lt; 5"),
        ("ask <@U0ANN|ann> and <@U0BOB>", "ask @ann and @U0BOB"),
        (
            "in <#C0SALES|sales> <!here> <!channel> <!subteam^S0MKT|@marketing> <!subteam^S0X>",
            "in #sales @here @channel @marketing @S0X",
        ),
        (
            "<https://a.example|the form> <https://b.example> <mailto:a@b.example|a@b.example>",
            "the form (https://a.example) https://b.example a@b.example",
        ),
        ("<!date^1392734382^{date}|Feb 18>", "Feb 18"),
        ("no formatting at all", "no formatting at all"),
    ],
)
def test_slack_formatted_text_is_read_as_it_was_typed(formatted: str, typed: str):
    assert from_slack(formatted) == typed


def test_slack_text_read_and_shown_again_is_escaped_once():
    """What a person typed, read from Slack and shown again: the same text, no `&amp;amp;`, no live mention."""
    shown = escape(from_slack("R&amp;D &lt;3 <!channel>"))
    assert shown == "R&amp;D &lt;3 @channel"
