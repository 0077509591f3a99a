"""An embedded local Cognito: moto's server plus a layer that makes it answer like AWS.

Development and tests only; nothing in app/ or triggers/ imports it.
"""
