"""Temporary AWS credentials for the signed-in user, from the identity pool."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.cognito.identity import IdentityGateway
from app.errors import ApiError, ErrorCode, error_responses
from app.tokens.deps import IdToken

E = ErrorCode

router = APIRouter(prefix="/auth", tags=["auth"])


class CredentialsOut(BaseModel):
    """Credentials whose role allows only the user's own uploads/ and processed/ prefixes."""

    identity_id: str = Field(description="Use it as the <identity> in uploads/<identity>/...")
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime


@router.post(
    "/credentials",
    responses=error_responses(
        E.NOT_AUTHENTICATED,
        E.INVALID_TOKEN,
        E.TOKEN_KEYS_UNAVAILABLE,
        E.CREDENTIALS_NOT_CONFIGURED,
        E.TOO_MANY_REQUESTS,
        E.SERVICE_UNAVAILABLE,
        E.UPSTREAM_ERROR,
    ),
)
async def get_credentials(token: IdToken, request: Request) -> CredentialsOut:
    """Exchange a valid **ID token** (Bearer) for temporary AWS credentials."""
    identity: IdentityGateway | None = request.app.state.identity
    if identity is None:
        raise ApiError(ErrorCode.CREDENTIALS_NOT_CONFIGURED)
    credentials = await run_in_threadpool(identity.credentials_for, token.token)
    return CredentialsOut(
        identity_id=credentials.identity_id,
        access_key_id=credentials.access_key_id,
        secret_access_key=credentials.secret_access_key,
        session_token=credentials.session_token,
        expiration=credentials.expiration,
    )
