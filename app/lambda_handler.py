"""The AWS Lambda entry point: the same app behind Mangum, built once per container."""

from mangum import Mangum

from app.main import create_app

handler = Mangum(create_app(), lifespan="auto")
