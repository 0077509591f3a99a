"""What the adaptive sign-in tells the risk trigger about the attempt (Cognito ClientMetadata).

The DefineAuthChallenge trigger (triggers/define_auth_challenge.py) compares the network and the
device of a sign-in with the user's previous one: ``sourceIp`` is the end user's address (as for
UserContextData), ``deviceId`` an opaque identifier the client keeps for the browser or app (for
example a random value in local storage) and sends as ``X-Device-Id``. The trigger keeps hashes
only. ClientMetadata can be trusted because only this service knows the app client's secret.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request

from app.client_context import UserContextDep

DEVICE_ID_HEADER = "x-device-id"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def sign_in_metadata(request: Request, context: UserContextDep) -> dict[str, str]:
    """The ClientMetadata for the calls whose triggers judge this sign-in."""
    metadata: dict[str, str] = {}
    if context is not None:
        metadata["sourceIp"] = context.ip_address
    device = request.headers.get(DEVICE_ID_HEADER, "")
    # Anything else is dropped rather than refused: a missing device only raises the risk.
    if _DEVICE_ID.match(device):
        metadata["deviceId"] = device
    return metadata


SignInMetadataDep = Annotated[dict[str, str], Depends(sign_in_metadata)]
