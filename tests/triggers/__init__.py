"""Tests of the Cognito triggers package."""
