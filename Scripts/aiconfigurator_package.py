"""Where NVIDIA's aiconfigurator-core package is, pinned to the version gracesim's extracted data came from.

Shared by Scripts/extract_kernel_tables.py and Scripts/extract_silicon_sample.py.
"""
import importlib.metadata
import os
import sys

PACKAGE = "aiconfigurator-core"
PACKAGE_VERSION = "0.12.0"


def package_dir(explicit):
    """`explicit` (an unpacked aiconfigurator_core folder) when given, else the installed package's folder; exits
    when the installed version is not the pinned one."""
    if explicit:
        return explicit
    import aiconfigurator_core  # noqa: imported for its location only
    version = importlib.metadata.version(PACKAGE)
    if version != PACKAGE_VERSION:
        sys.exit(f"expected {PACKAGE}=={PACKAGE_VERSION}, found {version}")
    return os.path.dirname(aiconfigurator_core.__file__)
