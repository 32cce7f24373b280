"""Sending Slack-shaped HTTP requests to the running app."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from tests.signing import slack_headers


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self):
        return json.loads(self.body)


def post(url: str, body: bytes, headers: dict[str, str]) -> Reply:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return Reply(resp.status, resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.read())


def get(url: str) -> Reply:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return Reply(resp.status, resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.read())


def signed_post(
    url: str,
    secret: str,
    body: str,
    content_type: str,
    *,
    ts: int | None = None,
    extra: dict[str, str] | None = None,
) -> Reply:
    ts = int(time.time()) if ts is None else ts
    headers = slack_headers(secret, ts, body, content_type)
    headers.update(extra or {})
    return post(url, body.encode(), headers)


def form(fields: dict[str, str]) -> str:
    return urllib.parse.urlencode(fields)


def interactive(payload: dict) -> str:
    return urllib.parse.urlencode({"payload": json.dumps(payload)})
