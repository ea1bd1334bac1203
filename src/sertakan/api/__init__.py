"""The HTTP API (`/api/v1`): FastAPI routers and Pydantic schemas; OpenAPI at /docs."""
