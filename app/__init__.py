"""The Cognito auth service: a FastAPI app in front of an Amazon Cognito user pool."""
