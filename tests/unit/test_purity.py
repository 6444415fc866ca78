"""The pure cores can be used without the web framework or the database layer."""

import subprocess
import sys

import pytest

CHECK = """
import sys
import {module}
leaked = {{"flask", "sqlalchemy"}} & {{name.partition(".")[0] for name in sys.modules}}
assert not leaked, leaked
"""


@pytest.mark.parametrize("module", ["voorelkaar.matching", "voorelkaar.geo"])
def test_core_package_imports_neither_flask_nor_sqlalchemy(module):
    subprocess.run([sys.executable, "-c", CHECK.format(module=module)], check=True, timeout=60)
