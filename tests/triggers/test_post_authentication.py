"""PostAuthentication: last login recorded, a missing profile created, nothing ever raised."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.triggers.support import EMAIL, FROZEN, FROZEN_ISO, SUB, TABLE, Aws, load_event
from triggers import clients, clock, post_authentication
from triggers.signin import DEVICE_HASH, NETWORK_HASH, fingerprint

SOURCE = "PostAuthentication_Authentication"
CREATED = "2024-01-01T00:00:00.000Z"


def _profile(**extra: Any) -> dict[str, Any]:
    return {
        "userId": SUB,
        "imageId": "user_profile",
        "email": EMAIL,
        "profile": {
            "firstName": "Jane",
            "lastName": "Doe",
            "preferences": {
                "defaultImageSize": "large",
                "watermarkEnabled": True,
                "watermarkText": "J",
            },
        },
        "statistics": {"totalImages": 3, "totalStorageUsed": 1024, "lastUploadAt": CREATED},
        "createdAt": CREATED,
        "updatedAt": CREATED,
        **extra,
    }


@pytest.fixture
def table(aws: Aws, monkeypatch: pytest.MonkeyPatch, frozen_clock: object) -> Aws:
    """The platform table, configured and empty."""
    monkeypatch.setenv("PLATFORM_TABLE_NAME", TABLE)
    aws.create_table()
    return aws


def test_sign_in_sets_last_login_and_updated_at_only(table: Aws) -> None:
    table.put_item(_profile())
    event = load_event(SOURCE)
    assert post_authentication.handler(event, None) is event
    [item] = table.items()
    expected = _profile(
        updatedAt=FROZEN_ISO,
        lastSignIn={**fingerprint(event["request"]["clientMetadata"]), "at": FROZEN_ISO},
    )
    expected["profile"]["lastLoginAt"] = FROZEN_ISO
    assert item == expected


def test_the_sign_in_fingerprint_holds_hashes_only(table: Aws) -> None:
    table.put_item(_profile())
    event = load_event(SOURCE)
    post_authentication.handler(event, None)
    [item] = table.items()
    stored = repr(item)
    for raw in event["request"]["clientMetadata"].values():
        assert raw not in stored
    assert set(item["lastSignIn"]) == {NETWORK_HASH, DEVICE_HASH, "at"}


def test_without_client_metadata_the_last_fingerprint_is_kept(table: Aws) -> None:
    previous = {NETWORK_HASH: "n", DEVICE_HASH: "d", "at": CREATED}
    table.put_item(_profile(lastSignIn=previous))
    event = load_event(SOURCE)
    del event["request"]["clientMetadata"]
    post_authentication.handler(event, None)
    [item] = table.items()
    assert item["lastSignIn"] == previous
    assert item["profile"]["lastLoginAt"] == FROZEN_ISO


def test_a_later_sign_in_moves_last_login_forward(
    table: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    table.put_item(_profile())
    post_authentication.handler(load_event(SOURCE), None)
    monkeypatch.setattr(clock, "utc_now", lambda: FROZEN + timedelta(days=1))
    post_authentication.handler(load_event(SOURCE), None)
    [item] = table.items()
    assert item["profile"]["lastLoginAt"] == "2024-05-02T12:30:00.000Z"


def test_a_user_without_a_profile_gets_one(table: Aws) -> None:
    # Administrator-created users never pass PostConfirmation; SET profile.lastLoginAt on a
    # missing item would be a ValidationException.
    event = load_event(SOURCE)
    assert post_authentication.handler(event, None) is event
    [item] = table.items()
    assert item["profile"] == {
        "firstName": "Jane",
        "lastName": "Doe",
        "preferences": {
            "defaultImageSize": "medium",
            "watermarkEnabled": False,
            "watermarkText": "",
        },
        "lastLoginAt": FROZEN_ISO,
    }
    assert item["statistics"] == {"totalImages": 0, "totalStorageUsed": 0, "lastUploadAt": None}
    assert (item["createdAt"], item["updatedAt"], item["email"]) == (FROZEN_ISO, FROZEN_ISO, EMAIL)


def test_an_item_without_a_profile_map_is_left_alone(table: Aws) -> None:
    odd = {"userId": SUB, "imageId": "user_profile", "note": "written by someone else"}
    table.put_item(odd)
    event = load_event(SOURCE)
    assert post_authentication.handler(event, None) is event
    assert table.items() == [odd]


def test_a_missing_table_never_blocks_the_sign_in(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", "no-such-table")
    event = load_event(SOURCE)
    assert post_authentication.handler(event, None) is event
    assert "ERROR" in [record.levelname for record in caplog.records]


def test_without_a_table_no_client_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    monkeypatch.setattr(clients, "dynamodb", lambda region: built.append(region))
    event = load_event(SOURCE)
    assert post_authentication.handler(event, None) is event
    assert built == []


def test_an_event_without_sub_is_returned_unchanged(table: Aws) -> None:
    event = load_event(SOURCE)
    del event["request"]["userAttributes"]["sub"]
    assert post_authentication.handler(event, None) is event
    assert table.items() == []
