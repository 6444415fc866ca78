"""voorelkaar: burenhulp for Dutch municipalities."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from voorelkaar import config as settings

if TYPE_CHECKING:
    from flask import Flask


def create_app(config=None) -> Flask:
    """Build the app: settings, extensions, blueprints, error pages, commands."""
    # Imported here so that `import voorelkaar.matching` stays free of Flask.
    from flask import Flask

    app = Flask(__name__, instance_relative_config=True)
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_features(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure(app: Flask, config) -> None:
    """Defaults, then instance/config.py, then the environment, then `config`."""
    app.config.from_object(settings.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    settings.load_environment(app.config)
    if config:
        app.config.from_mapping(config)
    settings.ensure_secret_key(app.config, app.instance_path)
    settings.check_production(app.config)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"))


def register_extensions(app: Flask) -> None:
    from voorelkaar import (
        audit,
        db,
        face,
        http,
        i18n,
        idempotency,
        kept_forms,
        observability,
        proxy,
        second_factor,
        security,
        tenancy,
    )
    from voorelkaar.auth import sessions
    from voorelkaar.extensions import csrf, limiter

    proxy.init_app(app)
    observability.init_app(app)  # before http: its after_request sees the final status
    http.init_app(app)  # first: its after_request runs last, on the final answer
    db.init_app(app)
    audit.init_app(app)
    idempotency.init_app(app)
    kept_forms.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    sessions.init_app(app)
    second_factor.init_app(app)
    security.init_app(app)
    tenancy.init_app(app)
    face.init_app(app)


def register_blueprints(app: Flask) -> None:
    from voorelkaar import routing
    from voorelkaar.account.views import bp as account_bp
    from voorelkaar.admin.views import bp as admin_bp
    from voorelkaar.answers.views import bp as answers_bp
    from voorelkaar.api.views import bp as api_bp
    from voorelkaar.auth.views import bp as auth_bp
    from voorelkaar.carers.views import bp as carers_bp
    from voorelkaar.extensions import csrf
    from voorelkaar.figures.views import bp as figures_bp
    from voorelkaar.help_requests.views import bp as help_requests_bp
    from voorelkaar.intake.views import bp as intake_bp
    from voorelkaar.matches.views import bp as matches_bp
    from voorelkaar.moderation.views import bp as moderation_bp
    from voorelkaar.municipalities.views import bp as municipalities_bp
    from voorelkaar.network.views import bp as network_bp
    from voorelkaar.notify.views import bp as mail_bp
    from voorelkaar.offers.views import bp as offers_bp
    from voorelkaar.organisations.views import bp as organisations_bp
    from voorelkaar.pages.views import bp as pages_bp
    from voorelkaar.people.views import bp as people_bp
    from voorelkaar.profiles.views import bp as profiles_bp
    from voorelkaar.referrals.views import bp as referrals_bp
    from voorelkaar.reports.views import bp as reports_bp
    from voorelkaar.second_factor.views import bp as second_factor_bp
    from voorelkaar.tasks.views import bp as tasks_bp
    from voorelkaar.today.views import bp as today_bp
    from voorelkaar.volunteers.views import bp as volunteers_bp
    from voorelkaar.webhooks.views import bp as subscriptions_bp  # nests itself in the API
    from voorelkaar.worklists.views import bp as worklists_bp

    routing.init_app(app)
    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(second_factor_bp)
    app.register_blueprint(help_requests_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(offers_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(profiles_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(volunteers_bp)
    app.register_blueprint(matches_bp)
    app.register_blueprint(answers_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(carers_bp)
    app.register_blueprint(network_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(figures_bp)
    app.register_blueprint(municipalities_bp)
    app.register_blueprint(worklists_bp)
    app.register_blueprint(today_bp)
    # The API authenticates every call with a token, not a cookie: no CSRF there.
    csrf.exempt(api_bp)
    csrf.exempt(subscriptions_bp)
    app.register_blueprint(api_bp)


def register_features(app: Flask) -> None:
    """Features tell the shared mechanisms (answer links, events, actions) what they bring."""
    from voorelkaar import (
        carers,
        help_requests,
        matches,
        municipalities,
        network,
        organisations,
        tasks,
        volunteers,
        webhooks,
    )

    features = (
        help_requests,
        matches,
        carers,
        organisations,
        volunteers,
        tasks,
        municipalities,
        network,
        webhooks,
    )
    for feature in features:
        feature.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from voorelkaar import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from voorelkaar import demo, figures, jobs

    demo.init_app(app)
    figures.init_app(app)
    jobs.init_app(app)
