"""The API creates a missing profile exactly as the PostConfirmation trigger does.

The two are separate deploy units (the API's package holds app/ only), so each has its own
builder; this test keeps them identical, and both to the seed's schema.
"""

from __future__ import annotations

import pytest

from app.profile import PROFILE_IMAGE_ID as API_IMAGE_ID
from app.profile import new_profile_item, profile_out
from triggers.profile import PROFILE_IMAGE_ID as TRIGGER_IMAGE_ID
from triggers.profile import new_profile

SEED_ITEM = {
    "imageId": "user_profile",
    "userId": "0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b",
    "email": "ada@example.com",
    "profile": {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "preferences": {
            "defaultImageSize": "medium",
            "watermarkEnabled": False,
            "watermarkText": "",
        },
    },
    "statistics": {"totalImages": 0, "totalStorageUsed": 0, "lastUploadAt": None},
    "createdAt": "2026-12-03T10:00:00.000Z",
    "updatedAt": "2026-12-03T10:00:00.000Z",
}


@pytest.mark.parametrize("build", [new_profile_item, new_profile])
def test_both_builders_make_the_seeds_item(build: object) -> None:
    assert callable(build)
    item = build(
        user_id=SEED_ITEM["userId"],
        email="ada@example.com",
        first_name="Ada",
        last_name="Lovelace",
        now="2026-12-03T10:00:00.000Z",
    )
    assert item == SEED_ITEM
    assert API_IMAGE_ID == TRIGGER_IMAGE_ID == "user_profile"


def test_the_api_shows_the_seeds_item() -> None:
    shown = profile_out(SEED_ITEM)
    assert shown.first_name == "Ada"
    assert shown.preferences.default_image_size == "medium"
    assert shown.statistics.total_images == 0
    assert shown.last_login_at is None
