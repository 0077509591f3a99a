"""The local Cognito gives the process its environment back when it stops."""

from __future__ import annotations

import os

import pytest

from local_cognito.server import restore_environment, set_environment


def test_set_variables_are_restored_or_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_COGNITO_TEST_KEPT", "before")
    monkeypatch.delenv("LOCAL_COGNITO_TEST_NEW", raising=False)
    saved: dict[str, str | None] = {}
    set_environment({"LOCAL_COGNITO_TEST_KEPT": "one", "LOCAL_COGNITO_TEST_NEW": "x"}, saved)
    set_environment({"LOCAL_COGNITO_TEST_KEPT": "two"}, saved)  # a second round keeps the first
    assert os.environ["LOCAL_COGNITO_TEST_KEPT"] == "two"
    restore_environment(saved)
    assert os.environ["LOCAL_COGNITO_TEST_KEPT"] == "before"
    assert "LOCAL_COGNITO_TEST_NEW" not in os.environ
