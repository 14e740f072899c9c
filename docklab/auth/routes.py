"""Register, log in, log out, change password, personal API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import ratelimit
from ..extensions import db
from ..models import ApiToken, Role, User, utcnow
from . import bp
from .forms import ChangePasswordForm, EmptyForm, LoginForm, RegisterForm, TokenForm

# Session keys that belong to the visitor, not to the login, and survive the session reset.
CARRIED_SESSION_KEYS = ("lang", "anon_answers")


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no `//` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def start_session(user: User, remember: bool = False) -> None:
    """Log in with a fresh session (no fixation), keeping the visitor's language and answers."""
    carried = {key: session[key] for key in CARRIED_SESSION_KEYS if key in session}
    session.clear()
    session.update(carried)
    login_user(user, remember=remember)
    session.permanent = True


@bp.route("/register", methods=["GET", "POST"])
def register():
    if not current_app.config["DOCKLAB_OPEN_REGISTRATION"]:
        flash(_("Registration is closed. Ask your instructor for an account."), "error")
        return redirect(url_for("auth.login"))
    form = RegisterForm()
    if form.validate_on_submit():
        limit_key = f"register:{request.remote_addr}"
        limit, window = (current_app.config["DOCKLAB_REGISTER_LIMIT"],
                         current_app.config["DOCKLAB_REGISTER_WINDOW"])
        if ratelimit.too_many(limit_key, limit, window):
            flash(_("Too many sign-ups from here. Please try again later."), "error")
            return render_template("auth/register.html", form=form), 429
        exists = db.session.scalar(select(User).where(User.username == form.username.data))
        if exists is not None:
            form.username.errors.append(_("This username is taken."))
        else:
            user = User(username=form.username.data, role=Role.STUDENT.value)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.commit()
            ratelimit.record(limit_key, window)
            start_session(user)
            flash(_("Welcome, %(name)s!", name=user.username), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        limit = current_app.config["DOCKLAB_LOGIN_LIMIT"]
        window = current_app.config["DOCKLAB_LOGIN_WINDOW"]
        keys = (f"login-ip:{request.remote_addr}", f"login-user:{form.username.data.lower()}")
        if any(ratelimit.too_many(key, limit, window) for key in keys):
            # Same answer whether or not the account exists.
            flash(_("Too many failed log-ins. Please wait a few minutes and try again."), "error")
            return render_template("auth/login.html", form=form, next_url=next_url), 429
        user = db.session.scalar(select(User).where(User.username == form.username.data))
        if user is None:
            User.check_password_of_nobody(form.password.data)
        elif user.check_password(form.password.data):
            start_session(user)
            return redirect(next_url or url_for("main.index"))
        for key in keys:
            ratelimit.record(key, window)
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form, next_url=next_url)


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        session.clear()
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            current_user.set_password(form.password.data)
            db.session.commit()
            start_session(current_user)  # the epoch changed: re-issue this session's cookie
            flash(_("Password changed. Other sessions were logged out."), "success")
            return redirect(url_for("auth.account"))
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "auth/account.html", form=form, token_form=TokenForm(), tokens=tokens,
        revoke_form=EmptyForm(), new_token=session.pop("new_token", None),
    )


@bp.post("/account/tokens")
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        _token, plain = ApiToken.issue(current_user, name=form.name.data or "")
        db.session.commit()
        session["new_token"] = plain  # shown once on the next page, then gone
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        return render_template("errors/404.html"), 404
    if EmptyForm().validate_on_submit():
        token.revoked_at = utcnow()
        db.session.commit()
        flash(_("Token revoked."), "success")
    return redirect(url_for("auth.account"))
