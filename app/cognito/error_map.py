"""Per-operation translation of Cognito error codes into the service's ErrorCodes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from app.errors import ApiError, ErrorCode
from app.trigger_reasons import parse_rejection, reason_code

logger = logging.getLogger("app.cognito")
T = TypeVar("T")

# Errors that mean the same thing whatever the call: quotas and Cognito-side failures.
_COMMON: dict[str, ErrorCode] = {
    "TooManyRequestsException": ErrorCode.TOO_MANY_REQUESTS,
    "LimitExceededException": ErrorCode.TOO_MANY_REQUESTS,
    "TooManyFailedAttemptsException": ErrorCode.TOO_MANY_REQUESTS,
    "ThrottlingException": ErrorCode.TOO_MANY_REQUESTS,
    # A trigger crashed or timed out: not the user's fault, retryable.
    "UnexpectedLambdaException": ErrorCode.SERVICE_UNAVAILABLE,
    "InvalidLambdaResponseException": ErrorCode.SERVICE_UNAVAILABLE,
    "InternalErrorException": ErrorCode.SERVICE_UNAVAILABLE,
    "ServiceUnavailable": ErrorCode.SERVICE_UNAVAILABLE,
    "CodeDeliveryFailureException": ErrorCode.SERVICE_UNAVAILABLE,
}

# Sign-in with a password, by USER_PASSWORD_AUTH or by the SRP proof of CUSTOM_AUTH.
_PASSWORD_SIGN_IN: dict[str, ErrorCode] = {
    "NotAuthorizedException": ErrorCode.BAD_CREDENTIALS,
    "UserNotFoundException": ErrorCode.BAD_CREDENTIALS,
    "UserNotConfirmedException": ErrorCode.USER_NOT_CONFIRMED,
    "PasswordResetRequiredException": ErrorCode.PASSWORD_RESET_REQUIRED,
    # InvalidParameterException is deliberately absent: every parameter of these calls is the
    # service's own (a validated email, SRP values, the user's IP), so a refusal is the service's
    # problem, logged as unexpected (UPSTREAM_ERROR), never "wrong password" for everyone.
}

# The same Cognito code means different things per call (NotAuthorizedException is "bad password"
# at sign-in but "revoked refresh token" at refresh), hence one table per operation.
OPERATION_ERRORS: dict[str, dict[str, ErrorCode]] = {
    "SignUp": {
        "UsernameExistsException": ErrorCode.EMAIL_ALREADY_REGISTERED,
        "AliasExistsException": ErrorCode.EMAIL_ALREADY_REGISTERED,
        "InvalidPasswordException": ErrorCode.PASSWORD_POLICY,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "ConfirmSignUp": {
        # Too many wrong codes: the code is locked, so "retry in a second" would be wrong.
        "LimitExceededException": ErrorCode.CODE_ATTEMPTS_EXCEEDED,
        "TooManyFailedAttemptsException": ErrorCode.CODE_ATTEMPTS_EXCEEDED,
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "ExpiredCodeException": ErrorCode.CODE_EXPIRED,
        # With PreventUserExistenceErrors an unknown user must look like a wrong code.
        "UserNotFoundException": ErrorCode.INVALID_CODE,
        # A confirmed account answers like a wrong code: otherwise anyone could learn, with any
        # code, that an email has a confirmed account (the user can simply sign in).
        "NotAuthorizedException": ErrorCode.INVALID_CODE,
        "AliasExistsException": ErrorCode.EMAIL_ALREADY_REGISTERED,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "ResendConfirmationCode": {
        # The route answers these like any other email (no account enumeration).
        "InvalidParameterException": ErrorCode.ALREADY_CONFIRMED,
        "NotAuthorizedException": ErrorCode.ALREADY_CONFIRMED,
        "UserNotFoundException": ErrorCode.ALREADY_CONFIRMED,
    },
    "InitiateAuth:USER_PASSWORD_AUTH": _PASSWORD_SIGN_IN,
    "InitiateAuth:CUSTOM_AUTH": _PASSWORD_SIGN_IN,
    # The SRP password proof of the adaptive sign-in: a wrong password is refused here.
    "RespondToAuthChallenge:PASSWORD_VERIFIER": _PASSWORD_SIGN_IN,
    "InitiateAuth:REFRESH_TOKEN_AUTH": {
        "NotAuthorizedException": ErrorCode.REFRESH_TOKEN_INVALID,
        "UserNotFoundException": ErrorCode.REFRESH_TOKEN_INVALID,
        "InvalidParameterException": ErrorCode.REFRESH_TOKEN_INVALID,
        "ResourceNotFoundException": ErrorCode.REFRESH_TOKEN_INVALID,
    },
    "RespondToAuthChallenge": {
        "NotAuthorizedException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "ExpiredCodeException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "ResourceNotFoundException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "InvalidPasswordException": ErrorCode.PASSWORD_POLICY,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
        "UserNotFoundException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "EnableSoftwareTokenMFAException": ErrorCode.INVALID_CODE,
    },
    "RevokeToken": {
        # Not a refresh token, not this client's, or malformed: nothing left to revoke. (AWS
        # answers success for one already revoked.) UnauthorizedException, the app client's own
        # credentials refused, is deliberately absent: the gateway reports it as misconfiguration.
        "NotAuthorizedException": ErrorCode.REFRESH_TOKEN_INVALID,
        "UnsupportedTokenTypeException": ErrorCode.REFRESH_TOKEN_INVALID,
        "InvalidParameterException": ErrorCode.REFRESH_TOKEN_INVALID,
    },
    "ForgotPassword": {
        # Callers answer the same whatever these say (no account enumeration).
        "UserNotFoundException": ErrorCode.ACCOUNT_NOT_RESETTABLE,
        "InvalidParameterException": ErrorCode.ACCOUNT_NOT_RESETTABLE,
        "NotAuthorizedException": ErrorCode.ACCOUNT_NOT_RESETTABLE,
    },
    "ConfirmForgotPassword": {
        # Too many wrong codes: the code is locked, so "retry in a second" would be wrong.
        "LimitExceededException": ErrorCode.CODE_ATTEMPTS_EXCEEDED,
        "TooManyFailedAttemptsException": ErrorCode.CODE_ATTEMPTS_EXCEEDED,
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "ExpiredCodeException": ErrorCode.CODE_EXPIRED,
        "UserNotFoundException": ErrorCode.INVALID_CODE,
        "NotAuthorizedException": ErrorCode.INVALID_CODE,
        "InvalidPasswordException": ErrorCode.PASSWORD_POLICY,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "ChangePassword": {
        # NotAuthorizedException is also how AWS refuses a revoked or expired access token; the
        # gateway translates those as "ChangePassword:token" (see token_refused).
        "NotAuthorizedException": ErrorCode.CURRENT_PASSWORD_INCORRECT,
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
        "InvalidPasswordException": ErrorCode.PASSWORD_POLICY,
        "InvalidParameterException": ErrorCode.PASSWORD_POLICY,
    },
    "ChangePassword:token": {"NotAuthorizedException": ErrorCode.INVALID_TOKEN},
    "UpdateUserAttributes": {
        "AliasExistsException": ErrorCode.EMAIL_ALREADY_REGISTERED,
        # Other than a refused token ("UpdateUserAttributes:token"), NotAuthorizedException means
        # the app client may not write an attribute: a misconfiguration, left unmapped so it is
        # logged as unexpected (UPSTREAM_ERROR), never a 401 that would sign the user out.
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "UpdateUserAttributes:token": {"NotAuthorizedException": ErrorCode.INVALID_TOKEN},
    "VerifyUserAttribute": {
        # Too many wrong codes: the code is locked, so "retry in a second" would be wrong.
        "LimitExceededException": ErrorCode.CODE_ATTEMPTS_EXCEEDED,
        "TooManyFailedAttemptsException": ErrorCode.CODE_ATTEMPTS_EXCEEDED,
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "ExpiredCodeException": ErrorCode.CODE_EXPIRED,
        "AliasExistsException": ErrorCode.EMAIL_ALREADY_REGISTERED,
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "GetUserAttributeVerificationCode": {
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "AssociateSoftwareToken": {
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
    },
    # With a challenge Session instead of an access token (MFA_SETUP at sign-in).
    "AssociateSoftwareToken:Session": {
        "NotAuthorizedException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "ResourceNotFoundException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "ExpiredCodeException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "UserNotFoundException": ErrorCode.CHALLENGE_SESSION_INVALID,
    },
    "VerifySoftwareToken": {
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "EnableSoftwareTokenMFAException": ErrorCode.INVALID_CODE,
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
    },
    "VerifySoftwareToken:Session": {
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "EnableSoftwareTokenMFAException": ErrorCode.INVALID_CODE,
        "NotAuthorizedException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "ResourceNotFoundException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "ExpiredCodeException": ErrorCode.CHALLENGE_SESSION_INVALID,
        "UserNotFoundException": ErrorCode.CHALLENGE_SESSION_INVALID,
    },
    "SetUserMFAPreference": {
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
        "InvalidParameterException": ErrorCode.MFA_NOT_ENROLLED,
    },
    "DeleteUser": {
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
    },
    "GetId": {
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "ResourceNotFoundException": ErrorCode.CREDENTIALS_NOT_CONFIGURED,
    },
    "GetCredentialsForIdentity": {
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "ResourceNotFoundException": ErrorCode.CREDENTIALS_NOT_CONFIGURED,
        "InvalidIdentityPoolConfigurationException": ErrorCode.CREDENTIALS_NOT_CONFIGURED,
    },
    "GlobalSignOut": {
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
    },
    "GetUser": {
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "UserNotFoundException": ErrorCode.INVALID_TOKEN,
    },
}


# Calls whose SECRET_HASH the service computes over a username it chose itself (the normalised
# email, or the USER_ID_FOR_SRP Cognito named): a refused hash there is this service's
# misconfiguration (wrong secret, or the app client has none), not the user's mistake. On refresh
# and challenge answers the client supplies the username, so a refused hash stays a client error.
_SERVICE_HASHED = frozenset(
    {
        "SignUp",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "InitiateAuth:USER_PASSWORD_AUTH",
        "InitiateAuth:CUSTOM_AUTH",
        "RespondToAuthChallenge:PASSWORD_VERIFIER",
    }
)


def misconfiguration(aws_code: str, message: str) -> str | None:
    """What Cognito's refusal says about the service's own configuration, if anything.

    AWS reports these with the same codes as user mistakes; only the message tells them apart. It
    is matched here to choose a code and never leaves this function.
    """
    text = message.lower()
    if aws_code == "NotAuthorizedException":
        if "secret hash" in text:
            return "secret_hash_refused"
        if "configured for secret" in text or "configured with secret" in text:
            return "secret_missing"
    if aws_code == "InvalidParameterException":
        if "flow not enabled" in text:
            return "auth_flow_not_enabled"
        if "trigger is not configured" in text:
            return "trigger_not_configured"
    return None


def _trigger_refusal(message: str) -> tuple[ErrorCode, str]:
    # Cognito wraps a raising trigger's message ("PreSignUp failed with error X."); only our own
    # triggers' reason tokens are recognised, and only the token is logged.
    code = reason_code(message)
    if code is None:
        return ErrorCode.SERVICE_UNAVAILABLE, "unrecognised_trigger_error"
    return ErrorCode(code), parse_rejection(message) or ""


def call_translated(operation: str, call: Callable[[], T]) -> T:
    """Run one boto3 call of `operation`; its failure comes out as an ApiError."""
    try:
        return call()
    except (ClientError, BotoCoreError) as exc:
        raise translate(operation, exc) from None


def translate(operation: str, exc: ClientError | BotoCoreError) -> ApiError:
    """Turn a boto3 failure of `operation` into an ApiError, logging only safe fields."""
    if isinstance(exc, BotoCoreError):
        # Connection and read timeouts, endpoint errors: Cognito could not be reached.
        logger.warning(
            "cognito unreachable", extra={"operation": operation, "error": type(exc).__name__}
        )
        return ApiError(ErrorCode.SERVICE_UNAVAILABLE)
    error = exc.response.get("Error", {})
    aws_code = str(error.get("Code", ""))
    message = str(error.get("Message", ""))
    metadata = exc.response.get("ResponseMetadata", {})
    code = OPERATION_ERRORS.get(operation, {}).get(aws_code) or _COMMON.get(aws_code)
    level = logging.INFO
    reason = misconfiguration(aws_code, message)
    if aws_code == "UserLambdaValidationException":
        code, reason = _trigger_refusal(message)
        if code is ErrorCode.SERVICE_UNAVAILABLE:
            level = logging.ERROR
    elif reason is not None:
        if reason != "secret_hash_refused" or operation in _SERVICE_HASHED:
            code, level = ErrorCode.SERVICE_UNAVAILABLE, logging.ERROR
        else:
            level = logging.WARNING  # a client-supplied username that is not the internal one
    elif code in (None, ErrorCode.SERVICE_UNAVAILABLE):
        level = logging.WARNING
    # AWS's message is not logged: it can quote the username; the code and request id suffice.
    logger.log(
        level,
        "cognito error",
        extra={
            "operation": operation,
            "aws_error": aws_code,
            "reason": reason,
            "aws_request_id": metadata.get("RequestId"),
            "http_status": metadata.get("HTTPStatusCode"),
            "mapped_to": code.value if code else ErrorCode.UPSTREAM_ERROR.value,
        },
    )
    return ApiError(code or ErrorCode.UPSTREAM_ERROR)


# What AWS says when it refuses the access token itself: "Access Token has been revoked",
# "Access Token has expired", "Invalid Access Token", or the user was disabled.
_TOKEN_REFUSALS = ("access token", "user is disabled")


def token_operation(operation: str, exc: ClientError | BotoCoreError) -> str:
    """The table for an access-token call's failure: `<operation>:token` if the token was refused.

    ChangePassword answers NotAuthorizedException both for a wrong current password and for a
    revoked or expired access token; only the message tells them apart. It is read here to pick
    the table and never leaves this function (nor is it logged).
    """
    if not isinstance(exc, ClientError) or f"{operation}:token" not in OPERATION_ERRORS:
        return operation
    error = exc.response.get("Error", {})
    if error.get("Code") != "NotAuthorizedException":
        return operation
    message = str(error.get("Message", "")).lower()
    if any(refusal in message for refusal in _TOKEN_REFUSALS):
        return f"{operation}:token"
    return operation
