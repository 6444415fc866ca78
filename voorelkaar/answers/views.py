"""The page an answer link opens: the answer already chosen, one button to send it."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from voorelkaar.answers import services
from voorelkaar.db import get_session
from voorelkaar.forms import BaseForm

bp = Blueprint("answers", __name__, template_folder="templates")

NOTE_MAX = 2000


class AnswerForm(BaseForm):
    antwoord = RadioField(_l("Uw antwoord"), validators=[InputRequired(_l("Kies een antwoord."))])
    note = TextAreaField(
        _l("Wilt u er iets over vertellen? (mag leeg blijven)"),
        validators=[Optional(), Length(max=NOTE_MAX, message=_l("Gebruik hoogstens 2000 tekens."))],
    )


@bp.route("/antwoord/<token>", methods=["GET", "POST"])
def answer(token):
    """Show the question with the answer chosen; its button sends the answer."""
    db = get_session()
    asked = services.read_link(db, token)
    if asked is None:
        return render_template("answers/invalid.html"), 400
    question = asked.question
    if asked.answered is not None:
        # A second click, or someone else at the same address: say so, and change nothing.
        return _already_answered(asked)
    form = AnswerForm(data={"antwoord": request.args.get("antwoord")})
    form.antwoord.choices = question.choices(asked.subject)
    if form.validate_on_submit():
        note = (form.note.data or "").strip() if question.with_note else ""
        thanks = question.apply(db, asked.subject, asked.user, form.antwoord.data, note)
        flash(thanks, "success")
        return redirect(url_for("answers.done"))
    return render_template(
        f"answers/{question.template}",
        form=form,
        subject=asked.subject,
        user=asked.user,
        with_note=question.with_note,
    )


def _already_answered(asked: services.Asked):
    """Only the link's own user, logged in, sees what they answered and when."""
    viewer_id = current_user.id if current_user.is_authenticated else None
    answered = asked.answer_shown_to(viewer_id)
    if answered is None:
        return render_template(
            "answers/answered.html",
            answered=None,
            login_url=url_for("auth.login", next=request.full_path.rstrip("?")),
        )
    url, label = asked.question.onward(asked.subject)
    return render_template(
        "answers/answered.html", answered=answered, onward_url=url, onward_label=label
    )


@bp.route("/antwoord/verstuurd")
def done():
    """The thank-you after an answer."""
    return render_template("answers/done.html")
