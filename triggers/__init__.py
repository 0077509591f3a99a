"""Cognito user-pool Lambda triggers: one small module per trigger, each deployed on its own."""
