"""Per-operation translation of Cognito error codes into the service's ErrorCodes."""

from __future__ import annotations

import logging

from botocore.exceptions import BotoCoreError, ClientError

from app.errors import ApiError, ErrorCode

logger = logging.getLogger("app.cognito")

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
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "ExpiredCodeException": ErrorCode.CODE_EXPIRED,
        # With PreventUserExistenceErrors an unknown user must look like a wrong code.
        "UserNotFoundException": ErrorCode.INVALID_CODE,
        "NotAuthorizedException": ErrorCode.ALREADY_CONFIRMED,
        "AliasExistsException": ErrorCode.EMAIL_ALREADY_REGISTERED,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "ResendConfirmationCode": {
        "InvalidParameterException": ErrorCode.ALREADY_CONFIRMED,
        "NotAuthorizedException": ErrorCode.ALREADY_CONFIRMED,
    },
    "InitiateAuth:USER_PASSWORD_AUTH": {
        "NotAuthorizedException": ErrorCode.BAD_CREDENTIALS,
        "UserNotFoundException": ErrorCode.BAD_CREDENTIALS,
        "UserNotConfirmedException": ErrorCode.USER_NOT_CONFIRMED,
        "PasswordResetRequiredException": ErrorCode.BAD_CREDENTIALS,
        "InvalidParameterException": ErrorCode.BAD_CREDENTIALS,
    },
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
        "NotAuthorizedException": ErrorCode.REFRESH_TOKEN_INVALID,
        "UnsupportedTokenTypeException": ErrorCode.REFRESH_TOKEN_INVALID,
        "InvalidParameterException": ErrorCode.REFRESH_TOKEN_INVALID,
        "UnauthorizedException": ErrorCode.REFRESH_TOKEN_INVALID,
    },
    "ForgotPassword": {
        # Callers answer the same whatever these say (no account enumeration).
        "UserNotFoundException": ErrorCode.ACCOUNT_NOT_RESETTABLE,
        "InvalidParameterException": ErrorCode.ACCOUNT_NOT_RESETTABLE,
        "NotAuthorizedException": ErrorCode.ACCOUNT_NOT_RESETTABLE,
    },
    "ConfirmForgotPassword": {
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "ExpiredCodeException": ErrorCode.CODE_EXPIRED,
        "UserNotFoundException": ErrorCode.INVALID_CODE,
        "NotAuthorizedException": ErrorCode.INVALID_CODE,
        "InvalidPasswordException": ErrorCode.PASSWORD_POLICY,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "ChangePassword": {
        # The access token was verified first, so a refusal here is the current password.
        "NotAuthorizedException": ErrorCode.CURRENT_PASSWORD_INCORRECT,
        "InvalidPasswordException": ErrorCode.PASSWORD_POLICY,
        "InvalidParameterException": ErrorCode.PASSWORD_POLICY,
    },
    "UpdateUserAttributes": {
        "AliasExistsException": ErrorCode.EMAIL_ALREADY_REGISTERED,
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "VerifyUserAttribute": {
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "ExpiredCodeException": ErrorCode.CODE_EXPIRED,
        "AliasExistsException": ErrorCode.EMAIL_ALREADY_REGISTERED,
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "InvalidParameterException": ErrorCode.INVALID_PARAMETER,
    },
    "AssociateSoftwareToken": {"NotAuthorizedException": ErrorCode.INVALID_TOKEN},
    "VerifySoftwareToken": {
        "CodeMismatchException": ErrorCode.INVALID_CODE,
        "EnableSoftwareTokenMFAException": ErrorCode.INVALID_CODE,
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
    },
    "SetUserMFAPreference": {
        "NotAuthorizedException": ErrorCode.INVALID_TOKEN,
        "InvalidParameterException": ErrorCode.MFA_NOT_ENROLLED,
    },
    "DeleteUser": {"NotAuthorizedException": ErrorCode.INVALID_TOKEN},
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
    metadata = exc.response.get("ResponseMetadata", {})
    code = OPERATION_ERRORS.get(operation, {}).get(aws_code) or _COMMON.get(aws_code)
    # AWS's message is not logged: it can quote the username; the code and request id suffice.
    unexpected = code in (None, ErrorCode.SERVICE_UNAVAILABLE)
    (logger.warning if unexpected else logger.info)(
        "cognito error",
        extra={
            "operation": operation,
            "aws_error": aws_code,
            "aws_request_id": metadata.get("RequestId"),
            "http_status": metadata.get("HTTPStatusCode"),
            "mapped_to": code.value if code else ErrorCode.UPSTREAM_ERROR.value,
        },
    )
    return ApiError(code or ErrorCode.UPSTREAM_ERROR)
