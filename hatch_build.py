"""Compile the translation catalogs whenever the package is built.

A wheel must carry compiled ``.mo`` files, but they are build products and
are not kept in git, so the build compiles every ``.po`` before packing.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogsHook(BuildHookInterface):
    """Hatch build hook that writes ``messages.mo`` beside each ``messages.po``."""

    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        """Compile all catalogs under ``translations/`` before files are collected."""
        root = Path(self.root) / "translations"
        for po_path in root.glob("*/LC_MESSAGES/messages.po"):
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with po_path.with_suffix(".mo").open("wb") as mo_file:
                write_mo(mo_file, catalog)
