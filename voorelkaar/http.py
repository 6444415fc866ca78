"""HTTP as the web expects: which answers may be kept, static files by content, and gzip.

- A public page (a GET answered 200 with HTML, for a visitor who is not logged in, that
  renders no form token, shows no flash message and sets no cookie) is sent `no-cache`
  with an ETag: browsers and proxies keep it and ask again each time, and an unchanged
  page costs a 304 without a body. Not `max-age`: the same address shows another header
  once someone logs in or switches language, and a stale copy would say "Inloggen" to a
  person who just did.
- Everything else is personal and `no-store`: a shared computer must not keep it.
- A static file's address carries a hash of its content (`?v=...`, computed once at
  start-up), so it is sent `immutable` for a year: a changed file gets a new address.
- HTML, CSS, JavaScript, JSON and SVG above SMALLEST_TO_COMPRESS are sent gzipped to a
  browser that accepts it, with `Vary: Accept-Encoding`.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from voorelkaar.security import CACHEABLE_ENDPOINTS, SECRET_IN_PATH

YEAR = 365 * 24 * 60 * 60
IMMUTABLE = f"public, max-age={YEAR}, immutable"
PUBLIC_PAGE = "no-cache"
PERSONAL = "no-store"
COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "text/plain",
    "text/csv",
}
# Below this the gzip header and a round of the CPU cost more than the bytes saved.
SMALLEST_TO_COMPRESS = 500
# Level 6 gives nearly all of level 9's saving on a page at a third of its time.
GZIP_LEVEL = 6
HASH_LENGTH = 12
STATIC_HASHES = "voorelkaar.static_hashes"


def hash_static_files(folder: str | None) -> dict[str, str]:
    """{filename: short hash of its content} for every file under the static folder."""
    if not folder or not Path(folder).is_dir():
        return {}
    root = Path(folder)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[
            :HASH_LENGTH
        ]
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def add_static_hash(endpoint: str, values: dict) -> None:
    """url_for('static', filename=...) gets ?v=<hash of the file>, so the address changes with it."""
    if endpoint != "static" or "v" in values:
        return
    digest = current_app.extensions[STATIC_HASHES].get(values.get("filename", ""))
    if digest:
        values["v"] = digest


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, left out of static files: they are the same for every visitor.

    (Flask-Login looks at the session after every request, which would add Vary: Cookie
    and keep shared caches from holding one copy of a file for everyone.)
    """

    def save_session(self, app, session, response) -> None:
        if request.endpoint != "static":
            super().save_session(app, session, response)


def finish_response(response: Response) -> Response:
    """Say who may keep this answer, answer 304 where nothing changed, then compress."""
    if request.endpoint == "static":
        _static_caching(response)
    elif request.endpoint not in CACHEABLE_ENDPOINTS and "Cache-Control" not in response.headers:
        if is_public_page(response):
            response.headers["Cache-Control"] = PUBLIC_PAGE
            response.add_etag(weak=True)
            response.make_conditional(request)
        else:
            response.headers["Cache-Control"] = PERSONAL
    compress(response)
    return response


def is_public_page(response: Response) -> bool:
    """Whether this answer is the same for every anonymous visitor and holds nothing of theirs."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return False
    if response.mimetype != "text/html" or response.is_streamed:
        return False
    if request.authorization is not None or SECRET_IN_PATH.search(request.path):
        return False
    return not (_logged_in() or _has_form_token() or _sets_a_cookie(response))


def _logged_in() -> bool:
    # Without loading the user again: the page has already asked for them, or never did
    # (and then the cookie still tells), and the database may be away.
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        return True
    return "_user_id" in session


def _has_form_token() -> bool:
    """A CSRF token in a form is this visitor's own: such a page is never shared."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g


def _sets_a_cookie(response: Response) -> bool:
    """A flash shown, a choice remembered, a login: the answer carries a cookie, so it is theirs."""
    app = current_app
    return "Set-Cookie" in response.headers or app.session_interface.should_set_cookie(app, session)


def _static_caching(response: Response) -> None:
    """A file asked for by the hash of its content never changes at that address."""
    filename = (request.view_args or {}).get("filename", "")
    digest = current_app.extensions[STATIC_HASHES].get(filename)
    hashed = digest is not None and request.args.get("v") == digest
    # In debug mode a file may change while the process runs, and its hash would not.
    if hashed and response.status_code in (200, 304) and not current_app.debug:
        response.headers["Cache-Control"] = IMMUTABLE


def compress(response: Response) -> None:
    """Gzip a text answer when the browser accepts it and it is worth it."""
    if response.mimetype not in COMPRESSIBLE:
        return
    response.vary.add("Accept-Encoding")
    if response.status_code in (204, 206, 304) or response.status_code < 200:
        return
    if "Content-Encoding" in response.headers or request.accept_encodings["gzip"] <= 0:
        return
    if response.direct_passthrough:  # a file sent by send_file: only static files are read
        data = _static_gzipped(response)
    elif response.is_streamed:
        return
    else:
        plain = response.get_data()
        data = _gzip(plain) if len(plain) >= SMALLEST_TO_COMPRESS else None
    if data is None:
        return
    response.direct_passthrough = False
    response.set_data(data)
    response.headers["Content-Encoding"] = "gzip"
    # The same content in another encoding: equal for revalidation, not byte for byte.
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)


def _gzip(data: bytes) -> bytes:
    # mtime=0: the same page gives the same bytes, whenever it is compressed.
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _static_gzipped(response: Response) -> bytes | None:
    """A static file's gzipped bytes (compressed once per content), else None to send it as is."""
    if request.endpoint != "static" or response.status_code != 200:
        return None
    filename = (request.view_args or {}).get("filename", "")
    path = safe_join(current_app.static_folder or "", filename)
    if path is None:
        return None
    file = Path(path)
    stat = file.stat()
    if stat.st_size < SMALLEST_TO_COMPRESS:
        return None
    data = _compressed_file(str(file), stat.st_mtime_ns, stat.st_size)
    close = getattr(response.response, "close", None)
    if close is not None:  # the file send_file opened is not read after all
        close()
    return data


@lru_cache(maxsize=64)
def _compressed_file(path: str, _mtime_ns: int, _size: int) -> bytes:
    """Keyed by modification time and size too: a changed file is compressed anew."""
    return _gzip(Path(path).read_bytes())


def init_app(app: Flask) -> None:
    """Hash the static files once; add their hash to their addresses; finish every answer.

    Registered before the other extensions: Flask runs after_request functions in
    reverse, so finish_response sees the final body and is the last to touch it.
    """
    app.session_interface = SessionInterface()
    app.extensions[STATIC_HASHES] = hash_static_files(app.static_folder)
    app.url_defaults(add_static_hash)
    app.after_request(finish_response)
