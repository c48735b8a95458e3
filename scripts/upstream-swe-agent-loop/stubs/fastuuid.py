"""fastuuid (a Rust build of the standard library's uuid functions, not in the local pip mirror):
litellm's `_uuid.py` only calls `uuid4()` through it, for response and call ids the request body
never carries."""
from uuid import UUID, uuid1, uuid3, uuid4, uuid5  # noqa: F401
