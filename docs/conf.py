"""Sphinx configuration for the ibwire documentation."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ibwire  # noqa: E402

project = "ibwire"
author = "the ibwire developers"
copyright = "2026, the ibwire developers"  # noqa: A001
release = ibwire.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "_ext.messages_table",
]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
exclude_patterns = ["_build"]
html_theme = "alabaster"
