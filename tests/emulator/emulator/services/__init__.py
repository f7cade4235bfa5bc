"""Service discovery: every module in this package is imported and each
Service subclass it defines is registered under its signing `name`.
A module that fails to import is reported on stderr and skipped, so one
broken or missing service never takes the server down."""

import importlib
import inspect
import pkgutil
import sys
import traceback

from ..core import Service, register

_loaded = False


def load_all():
    global _loaded
    if _loaded:
        return
    _loaded = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        try:
            mod = importlib.import_module(__name__ + "." + info.name)
        except Exception:
            sys.stderr.write("emulator: service module %s failed to load:\n" % info.name)
            traceback.print_exc(file=sys.stderr)
            continue
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if issubclass(cls, Service) and cls is not Service and cls.__module__ == mod.__name__:
                register(cls)
