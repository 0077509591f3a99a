"""Tests of the token verification package."""
