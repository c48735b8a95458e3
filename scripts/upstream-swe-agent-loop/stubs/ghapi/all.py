"""ghapi (not in the local pip mirror): the vendored SWE-agent imports `GhApi` for problem statements
and repositories given as GitHub URLs; the adapter passes text and `repo=None`, so it is never built."""


class GhApi:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("ghapi is stubbed: upstream's swe_agent loop here never reads GitHub")
