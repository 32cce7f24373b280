"""The signing helper reproduces Slack's documented example, and Bolt agrees with it."""

from slack_sdk.signature import SignatureVerifier

from tests.signing import slack_signature
from tests.slack_double import SLACK

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TS = 1531420618
EXPECTED = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_documented_signature_example():
    body = (SLACK / "payloads" / "http" / "slash_command.docs_signing_example.form.txt").read_text().strip()
    assert slack_signature(SECRET, TS, body) == EXPECTED


def test_bolt_verifier_accepts_it_within_five_minutes_only():
    body = (SLACK / "payloads" / "http" / "slash_command.docs_signing_example.form.txt").read_text().strip()
    headers = {"x-slack-request-timestamp": str(TS), "x-slack-signature": EXPECTED}
    assert SignatureVerifier(SECRET, clock=_Clock(TS + 300)).is_valid_request(body, headers)
    assert not SignatureVerifier(SECRET, clock=_Clock(TS + 301)).is_valid_request(body, headers)


class _Clock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now
