"""Stand-ins for the Python packages the local pip mirror lacks, so the upstream agent server
imports and runs here (developer script only; see README.md). Any attribute of a stubbed module is
an inert class (an exception class when its name says so), except what `litellm_stub` implements:
the chat-completion call, made against the OpenAI-compatible server in `api_base`."""
import importlib.abc
import importlib.machinery
import sys
import types

STUBBED = {"litellm", "lmnr", "acp", "fakeredis", "libtmux",
           "binaryornot", "func_timeout", "browser_use", "tom_swe", "socksio"}


class Inert:
    """Accepts anything; unknown attributes read as None."""

    def __init__(self, *args, **kwargs):
        self.__dict__.update(kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __call__(self, *args, **kwargs):
        return None

    def __class_getitem__(cls, item):
        return cls


def inert_class(module: str, name: str) -> type:
    is_error = name.endswith(("Error", "Exception", "Timeout", "Exceeded", "Interrupt"))
    return type(name, (Exception,) if is_error else (Inert,), {"__module__": module})


class StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        value = inert_class(self.__name__, name)
        setattr(self, name, value)
        return value


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in STUBBED:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        top = module.__name__.split(".")[0]
        if top == "litellm":
            import litellm_stub

            litellm_stub.fill(module)


sys.meta_path.insert(0, StubFinder())
