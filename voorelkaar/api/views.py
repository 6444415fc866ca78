"""The JSON API under /api/v1, and the admin pages for its personal access tokens."""

from __future__ import annotations

from datetime import date
from email.utils import parseaddr
from functools import wraps
from http import HTTPStatus

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from voorelkaar import audit, errors
from voorelkaar.api import services, tokens
from voorelkaar.api.forms import ApiRequestForm, IssueTokenForm, RevokeForm
from voorelkaar.api.openapi import API_VERSION, CHANGELOG, DOCUMENT, PROBLEM_TYPE, document_for
from voorelkaar.api.validation import Invalid, check_body, check_form, site_formdata
from voorelkaar.auth.access import admin_required
from voorelkaar.db import get_session, utcnow
from voorelkaar.extensions import limiter
from voorelkaar.help_requests import services as help_requests
from voorelkaar.help_requests.forms import vog_answer
from voorelkaar.idempotency import already_created
from voorelkaar.models import ApiToken, PostedFor, Role
from voorelkaar.models.api_token import Scope
from voorelkaar.municipalities.services import categories_for
from voorelkaar.referrals import services as referrals
from voorelkaar.referrals.forms import ReferralForm
from voorelkaar.tenancy import current_municipality, serves

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX, template_folder="templates")
# The admin pages live under /beheer, outside the API's prefix, its JSON errors and its
# CSRF exemption; registered together with the API so the factory needs no second line.
admin_bp = Blueprint("api_tokens", __name__, url_prefix="/beheer/api-sleutels")
bp.record_once(lambda state: state.app.register_blueprint(admin_bp))

MESSAGES = {
    400: ("bad_request", "Het verzoek klopt niet. Stuur een JSON-object."),
    401: ("unauthorized", "Stuur een geldige sleutel: Authorization: Bearer <sleutel>."),
    403: ("forbidden", "Deze sleutel mag dit niet."),
    404: ("not_found", "Dit bestaat niet (of u mag het niet zien)."),
    405: ("method_not_allowed", "Deze methode werkt hier niet."),
    413: ("too_large", "Het verzoek is te groot."),
    415: ("unsupported_media_type", "Stuur JSON (Content-Type: application/json)."),
    422: ("validation_failed", "Niet alle velden zijn goed ingevuld. Zie invalid-params."),
    429: ("rate_limited", "Te veel verzoeken met deze sleutel. Wacht even en probeer opnieuw."),
    500: ("server_error", "Er ging iets mis bij ons. Probeer het later nog eens."),
    503: ("unavailable", "De dienst is even niet bereikbaar. Probeer het over een minuut opnieuw."),
}


class ApiError(Exception):
    """An answer other than success, with a status, a code and a Dutch message."""

    def __init__(self, status: int, message: str | None = None, fields=None):
        super().__init__(status)
        self.status, self.message, self.fields = status, message, fields


def error_response(status: int, message: str | None = None, fields=None):
    """A problem details answer (RFC 9457): the status phrase, a Dutch detail, the path, a
    stable code, and per field what is wrong (invalid-params) when input was refused."""
    code, default = MESSAGES.get(status, MESSAGES[500])
    body = {
        "type": "about:blank",
        "title": _phrase(status),
        "status": status,
        "detail": message or default,
        "instance": request.path,
        "code": code,
    }
    if fields:
        body["invalid-params"] = [
            {"name": name, "reason": reason}
            for name, reasons in fields.items()
            for reason in (reasons if isinstance(reasons, list | tuple) else [reasons])
        ]
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="voorelkaar"'
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@bp.after_app_request
def version_header(response):
    """Every answer under /api/v1, errors and the document included, says its version."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        response.headers["API-Version"] = API_VERSION
    return response


@bp.errorhandler(ApiError)
def handle_api_error(error: ApiError):
    return error_response(error.status, error.message, error.fields)


@bp.errorhandler(Invalid)
def handle_invalid(error: Invalid):
    return error_response(422, fields=error.fields)


@bp.errorhandler(HTTPException)
def handle_http_error(error: HTTPException):
    return error_response(error.code or 500)


@bp.errorhandler(OperationalError)
def handle_database_away(error: OperationalError):
    incident = errors.note_database_away(error)  # rolls back and logs
    response = error_response(503, f"De dienst is even niet bereikbaar (foutcode {incident}).")
    response.headers["Retry-After"] = str(errors.RETRY_AFTER_SECONDS)
    return response


@bp.errorhandler(Exception)
def handle_unexpected(error: Exception):
    errors.handle_unexpected(error)  # rolls back and logs, as everywhere else
    return error_response(500)


def _outside_the_api_or_json(error: HTTPException):
    """Unknown URLs and methods under /api/v1 get JSON too; elsewhere the site's page."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        return error_response(error.code or 500)
    return errors.handle_http_error(error)


bp.app_errorhandler(404)(_outside_the_api_or_json)
bp.app_errorhandler(405)(_outside_the_api_or_json)


def token_key() -> str:
    """Rate-limit per token (its hash), or per address when there is none."""
    secret = tokens.bearer_secret(request.headers.get("Authorization"))
    if secret:
        return "api-token:" + tokens.hash_token(secret)
    return "api-ip:" + get_remote_address()


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _refused_limit() -> str:
    return current_app.config["API_REFUSED_LIMIT_PER_IP"]


def _address_key() -> str:
    return "api-refused-ip:" + get_remote_address()


def _refused(response) -> bool:
    return response.status_code == 401


def token_required(*scopes: Scope):
    """Let a call through with a live token that has one of scopes; g.api_token is that token."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            secret = tokens.bearer_secret(request.headers.get("Authorization"))
            try:
                token = tokens.verify_token(get_session(), secret)
            except tokens.TokenError:
                db = get_session()
                db.rollback()
                audit.security_event(db, audit.API_REFUSED, result="failed")
                raise ApiError(401) from None
            if not any(tokens.has_scope(token, scope) for scope in scopes):
                wanted = " of ".join(scope.value for scope in scopes)
                raise ApiError(403, f"Deze sleutel heeft de bevoegdheid {wanted} niet.")
            g.api_token = token
            return view(*args, **kwargs)

        limited = limiter.limit(_rate_limit, key_func=token_key)(wrapped)
        # The outer check runs first: an address that sent too many bad tokens gets 429
        # before any lookup.
        return limiter.limit(_refused_limit, key_func=_address_key, deduct_when=_refused)(limited)

    return decorator


# No input of this API nests deeper than an object holding a list; 10 leaves room.
MAX_JSON_DEPTH = 10


def json_body() -> object:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # thousands of nested brackets: refused, not a 500
        body = None
    if body is None or _depth(body) > MAX_JSON_DEPTH:
        raise ApiError(400)
    return body


def _depth(value, limit: int = MAX_JSON_DEPTH + 1) -> int:
    """How deeply value nests, counted up to limit (so a deep value costs little)."""
    if limit <= 0 or not isinstance(value, dict | list):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


def _month(name: str, fields: dict) -> date | None:
    text = request.args.get(name, "")
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError:
        fields[name] = ["Vul een maand in zoals 2026-01 (YYYY-MM)."]
        return None


# ---------- Endpoints ----------


@bp.get("/health")
def health():
    """Whether the API answers; needs no token."""
    return jsonify({"status": "ok"})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(document_for(_contact()))


def _contact() -> dict:
    """Who answers questions about this API: the organisation running the site (ADR
    info.contact), from the municipality's settings where there is one."""
    municipality = current_municipality(get_session())
    base = current_app.config["BASE_URL"].rstrip("/")
    name = (municipality.org_name if municipality else "") or current_app.config["SITE_NAME"]
    email = (municipality.org_email if municipality else "") or parseaddr(
        current_app.config["MAIL_FROM"]
    )[1]
    return {"name": name, "email": email, "url": f"{base}/over-ons"}


@bp.app_template_filter("code_spans")
def code_spans(text: str) -> Markup:
    """`name` in a changelog line as <code>name</code>; the rest escaped."""
    parts = text.split("`")
    code = Markup("<code>{}</code>")
    return Markup("").join(code.format(part) if odd % 2 else part for odd, part in enumerate(parts))


@bp.get("/docs")
def docs():
    """The OpenAPI document as a page to read."""
    return render_template(
        "api/docs.html",
        spec=DOCUMENT,
        schemas=DOCUMENT["components"]["schemas"],
        changelog=CHANGELOG,
    )


@bp.get("/figures")
@token_required(Scope.READ_FIGURES)
def figures():
    """Requests posted and matched per wijk over whole months."""
    fields: dict[str, list[str]] = {}
    first, last = _month("from", fields), _month("to", fields)
    if first and last and last < first:
        fields["to"] = ["De laatste maand ligt voor de eerste."]
    elif first and last and (last.year - first.year) * 12 + last.month - first.month >= 60:
        fields["to"] = ["Kies hoogstens 60 maanden."]
    if fields:
        raise Invalid(fields)
    return jsonify(services.figures_by_wijk(get_session(), g.api_token.user, first, last))


def _refuse_another_municipality(db, user, postcode: str) -> None:
    """403 with a Dutch reason when postcode lies in a municipality user does not work for."""
    reason = services.refused_municipality(db, user, postcode)
    if reason is not None:
        raise ApiError(403, reason)


def _referral_json(referral) -> dict:
    return {
        "id": referral.id,
        "status": referrals.status_of(referral).value,
        "request_state": referral.request.state.value if referral.request else None,
        "created_at": referral.created_at.isoformat(),
        "expires_at": referral.expires_at.isoformat(),
    }


@bp.post("/referrals")
@token_required(Scope.CREATE_REFERRALS)
def create_referral():
    """Refer a resident, as the consultant the token acts for."""
    consultant = g.api_token.user
    if not consultant.has_role(Role.CONSULTANT):
        raise ApiError(403, "Alleen een sleutel van een Wmo-consulent mag verwijzen.")
    body = check_body(json_body(), "ReferralInput")
    db = get_session()
    form = ReferralForm(
        formdata=site_formdata(body),
        categories=categories_for(db, consultant),
        meta={"csrf": False},
    )
    check_form(form)
    _refuse_another_municipality(db, consultant, form.postcode.data)
    referral = referrals.create_referral(db, consultant, form.details())
    response = jsonify(_referral_json(referral))
    response.status_code = 201
    response.headers["Location"] = url_for("api.referral", referral_id=referral.id)
    return response


@bp.get("/referrals/<int:referral_id>")
@token_required(Scope.CREATE_REFERRALS)
def referral(referral_id: int):
    """Status and outcome of one of the token user's own referrals."""
    db = get_session()
    found = db.get(referrals.Referral, referral_id)
    if (
        found is None
        or found.consultant_id != g.api_token.user_id
        or not serves(db, g.api_token.user, found.municipality_id)
    ):
        raise ApiError(404, "Deze verwijzing bestaat niet, of is niet van deze consulent.")
    return jsonify(_referral_json(found))


@bp.get("/requests")
@token_required(Scope.REQUESTS)
def list_requests():
    """Open requests, with a coarse place only."""
    db = get_session()
    fields: dict[str, list[str]] = {}
    wijk = None
    text = request.args.get("wijk")
    if text is not None:
        wijk = services.find_wijk(db, g.api_token.user, text) if 0 < len(text) <= 100 else None
        if wijk is None:
            fields["wijk"] = ["Deze wijk kennen wij niet. Gebruik het nummer of de naam."]
    limit_text = request.args.get("limit", "50")
    limit = int(limit_text) if limit_text.isdecimal() and len(limit_text) < 4 else 0
    if not 1 <= limit <= 200:
        fields["limit"] = ["Kies een getal van 1 tot en met 200."]
    if fields:
        raise Invalid(fields)
    items = services.open_requests(db, g.api_token.user, wijk, limit)
    return jsonify({"requests": [services.coarse(item) for item in items]})


@bp.post("/requests")
@token_required(Scope.REQUESTS)
def create_request():
    """Post a request on behalf of a resident, as the staff member the token acts for."""
    author = g.api_token.user
    if PostedFor.RESIDENT not in help_requests.may_post_for(author):
        raise ApiError(403, "Deze sleutel mag geen hulpvraag plaatsen voor een inwoner.")
    body = check_body(json_body(), "RequestInput")
    db = get_session()
    formdata = site_formdata(body)
    formdata["posted_for"] = PostedFor.RESIDENT.value
    formdata.setdefault("schedule", "once")
    formdata.setdefault("volunteers_needed", "1")
    formdata["vog"] = vog_answer(
        vulnerable=body.get("vulnerable", False), requires_vog=body.get("requires_vog", False)
    )
    form = ApiRequestForm(
        formdata=formdata,
        categories=categories_for(db, author),
        posted_for_options=[PostedFor.RESIDENT],
        meta={"csrf": False},
    )
    missing_weekday = formdata["schedule"] == "weekly" and "weekday" not in body
    try:
        check_form(form)
    except Invalid as invalid:
        if missing_weekday:
            invalid.fields["weekday"] = ["Kies een dag van de week: 0 (maandag) tot 6 (zondag)."]
        raise
    if missing_weekday:
        # The site's select always sends a day; over JSON it can be left out.
        raise Invalid({"weekday": ["Kies een dag van de week: 0 (maandag) tot 6 (zondag)."]})
    _refuse_another_municipality(db, author, form.postcode.data)
    try:
        item = help_requests.post_request(db, author, form.details())
    except help_requests.NotAllowed:
        raise ApiError(403) from None
    body = {
        "id": item.id,
        "state": item.state.value,
        "pc4": item.pc4,
        "wijk": item.neighbourhood.name if item.neighbourhood else None,
    }
    response = jsonify(body)
    response.status_code = 201
    return response


# ---------- Admin pages: /beheer/api-sleutels ----------


@admin_bp.route("", methods=["GET", "POST"])
@admin_required
def index():
    """Every token, and a form to issue one; a new token is shown once."""
    db = get_session()
    form = IssueTokenForm()
    issued = None
    if form.validate_on_submit():
        earlier = already_created(db, current_user, ApiToken)
        if earlier is not None:  # a double click, or Back and send again
            flash(
                _(
                    "De sleutel %(name)s was al gemaakt. De sleutel zelf stond alleen de "
                    "eerste keer op het scherm. Heeft u hem niet bewaard? Trek hem dan in en "
                    "maak een nieuwe.",
                    name=earlier.name,
                ),
                "info",
            )
            return redirect(url_for("api_tokens.index"))
        issued = tokens.issue_token(
            db,
            current_user,
            name=form.name.data,
            user=form.user,
            scopes=form.scopes.data,
            expires_on=form.expires_on.data,
        )
        form = IssueTokenForm(formdata=None)
    return render_template(
        "api/tokens.html",
        form=form,
        issued=issued,
        tokens=tokens.all_tokens(db, current_user),
        revoke_form=RevokeForm(),
        scope_labels=dict(IssueTokenForm.SCOPE_CHOICES),
        now=utcnow(),
    )


@admin_bp.post("/<int:token_id>/intrekken")
@admin_required
def revoke(token_id: int):
    """Revoke a token: calls with it are refused from now on."""
    db = get_session()
    token = db.get(ApiToken, token_id)
    if token is None or not serves(db, current_user, token.user.municipality_id):
        abort(404)
    if RevokeForm().validate_on_submit():
        tokens.revoke_token(db, current_user, token)
        flash(_("De sleutel %(name)s is ingetrokken.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
