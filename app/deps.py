"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.cognito.gateway import CognitoGateway
from app.settings import Settings
from app.tokens.verifier import TokenVerifier


# Async on purpose: FastAPI runs a sync dependency in its threadpool, a hop these reads don't need.
async def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_gateway(request: Request) -> CognitoGateway:
    """The process's one Cognito gateway."""
    gateway: CognitoGateway = request.app.state.gateway
    return gateway


async def get_verifier(request: Request) -> TokenVerifier:
    """The process's one token verifier."""
    verifier: TokenVerifier = request.app.state.verifier
    return verifier


SettingsDep = Annotated[Settings, Depends(get_settings)]
GatewayDep = Annotated[CognitoGateway, Depends(get_gateway)]
VerifierDep = Annotated[TokenVerifier, Depends(get_verifier)]
