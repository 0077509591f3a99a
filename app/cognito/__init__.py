"""The Cognito boundary: the only code that talks to cognito-idp."""
