"""The cognito-idp operations the local layer answers itself or corrects, by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from local_cognito.ops import account, auth, identity, mfa_setup, sign_up

if TYPE_CHECKING:
    from local_cognito.aws_layer import Operation

IDP = "AWSCognitoIdentityProviderService."
IDENTITY = "AWSCognitoIdentityService."

# Keyed by the X-Amz-Target header.
OPERATIONS: dict[str, Operation] = {
    IDENTITY + "GetId": identity.get_id,
    IDENTITY + "GetCredentialsForIdentity": identity.get_credentials_for_identity,
    IDP + "SignUp": sign_up.sign_up,
    IDP + "AdminCreateUser": sign_up.admin_create_user,
    IDP + "ConfirmSignUp": sign_up.confirm_sign_up,
    IDP + "ResendConfirmationCode": sign_up.resend_confirmation_code,
    IDP + "InitiateAuth": auth.initiate_auth,
    IDP + "RespondToAuthChallenge": auth.respond_to_auth_challenge,
    IDP + "RevokeToken": auth.revoke_token,
    IDP + "AssociateSoftwareToken": mfa_setup.associate_software_token,
    IDP + "VerifySoftwareToken": mfa_setup.verify_software_token,
    IDP + "ForgotPassword": account.forgot_password,
    IDP + "ConfirmForgotPassword": account.confirm_forgot_password,
    IDP + "ChangePassword": account.change_password,
    IDP + "UpdateUserAttributes": account.update_user_attributes,
    IDP + "VerifyUserAttribute": account.verify_user_attribute,
    IDP + "GetUserAttributeVerificationCode": account.get_user_attribute_verification_code,
    IDP + "DeleteUser": account.delete_user,
}
