"""async-timeout (not in the local pip mirror): redis imports it on Python below 3.11.3, which the
task containers' Debian python3 (3.11.2) is; the standard library's `asyncio.timeout` is the same
context manager. Only redis's asyncio client uses it; the messaging connector is synchronous."""
from asyncio import timeout  # noqa: F401
