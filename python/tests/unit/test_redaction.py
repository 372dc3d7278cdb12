"""Secrets of any length are scrubbed; empty and flag-like values never mangle text."""

from __future__ import annotations

import pytest

from dbt_migrate.redaction import redact, redact_data

ENV = {
    "OPENAI_API_KEY": "sk-long-secret-value-123",
    "SHORT_TOKEN": "ab1",
    "ONE_SECRET": "Q",
    "DB_PASSWORD": "hunter2",
    "EMPTY_KEY": "",
    "USE_KEYRING": "1",
    "HOME": "/home/someone",  # not a secret's name: never scrubbed
}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Incorrect API key provided: sk-long-secret-value-123.", "Incorrect API key provided: ***."),
        ("embedded:xsk-long-secret-value-123x", "embedded:x***x"),
        ("token=ab1; retry", "token=***; retry"),
        ("password 'hunter2' rejected", "password '***' rejected"),
        ("grade Q given", "grade *** given"),
        ("a cab1e and Queen stay", "a cab1e and Queen stay"),  # short secrets only as whole tokens
        ("retry 1 of 2, /home/someone", "retry 1 of 2, /home/someone"),  # flags and non-secrets kept
    ],
)
def test_secrets_of_any_length_are_redacted_as_the_rule_says(text, expected):
    assert redact(text, ENV) == expected


def test_redacting_a_document_scrubs_every_string_and_keeps_other_values():
    doc = {"errors": ["key ab1 rejected"], "n": 1, "ok": True, "nested": {"hunter2": ["x hunter2"]}}
    assert redact_data(doc, ENV) == {"errors": ["key *** rejected"], "n": 1, "ok": True, "nested": {"***": ["x ***"]}}
