"""The cognito-idp operations the local layer answers itself or corrects, by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from local_cognito.ops import account, auth, sign_up

if TYPE_CHECKING:
    from local_cognito.aws_layer import Operation

OPERATIONS: dict[str, Operation] = {
    "SignUp": sign_up.sign_up,
    "ConfirmSignUp": sign_up.confirm_sign_up,
    "ResendConfirmationCode": sign_up.resend_confirmation_code,
    "InitiateAuth": auth.initiate_auth,
    "RespondToAuthChallenge": auth.respond_to_auth_challenge,
    "RevokeToken": auth.revoke_token,
    "ForgotPassword": account.forgot_password,
    "ConfirmForgotPassword": account.confirm_forgot_password,
    "ChangePassword": account.change_password,
    "UpdateUserAttributes": account.update_user_attributes,
    "VerifyUserAttribute": account.verify_user_attribute,
    "GetUserAttributeVerificationCode": account.get_user_attribute_verification_code,
    "DeleteUser": account.delete_user,
}
