"""Write the served OpenAPI document of /api/v1 to a file, for the NLGov ADR linter.

    python scripts/openapi_json.py build/openapi.json

The document is what a running site serves (a scratch SQLite database, default settings).
"""

import json
import sys
import tempfile
from pathlib import Path

from alembic import command

from voorelkaar import create_app
from voorelkaar.db import alembic_config


def main(target: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'openapi.sqlite'}"
        command.upgrade(alembic_config(url), "head")
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "openapi-" + "x" * 40})
        response = app.test_client().get("/api/v1/openapi.json")
        assert response.status_code == 200, response.status_code
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(json.dumps(response.json, indent=1, ensure_ascii=False))
        app.extensions["voorelkaar.engine"].dispose()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/openapi.json")
