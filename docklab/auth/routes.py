"""Register, log in, log out, change password, personal API tokens."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import ratelimit, settings
from ..extensions import db
from ..forms import EmptyForm
from ..models import ApiToken, Role, User, utcnow
from ..security import safe_next
from . import bp, hooks
from .forms import ChangePasswordForm, LoginForm, RegisterForm, TokenForm

# Session keys that belong to the visitor, not to the login, and survive the session reset.
CARRIED_SESSION_KEYS = ("lang", "anon_answers")


def start_session(user: User, remember: bool = False) -> None:
    """Log in with a fresh session (no fixation), keeping the visitor's language and answers."""
    carried = {key: session[key] for key in CARRIED_SESSION_KEYS if key in session}
    session.clear()
    session.update(carried)
    login_user(user, remember=remember)
    session.permanent = True


@bp.route("/register", methods=["GET", "POST"])
def register():
    site = settings.current()
    if not site.open_registration:
        flash(_("Registration is closed. Ask your instructor for an account."), "error")
        return redirect(url_for("auth.login", next=safe_next(request.args.get("next"))))
    form = RegisterForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        limit_key = f"register:{request.remote_addr}"
        limit, window = site.register_limit, site.register_window
        if ratelimit.too_many(limit_key, limit, window):
            flash(_("Too many sign-ups from here. Please try again later."), "error")
            return render_template("auth/register.html", form=form, next_url=next_url), 429
        if User.by_name(form.username.data) is not None:
            form.username.errors.append(_("This username is taken."))
        else:
            user = User(username=form.username.data, role=Role.STUDENT.value)
            user.set_password(form.password.data)
            db.session.add(user)
            try:
                db.session.commit()
            except IntegrityError:  # the same name (in any case) signed up a moment earlier
                db.session.rollback()
                form.username.errors.append(_("This username is taken."))
                return render_template("auth/register.html", form=form, next_url=next_url)
            ratelimit.record(limit_key, window)
            start_session(user)
            flash(_("Welcome, %(name)s!", name=user.username), "success")
            return redirect(_after_log_in(user, next_url))
    return render_template("auth/register.html", form=form, next_url=next_url,
                           invited=_invited_class(next_url))


# A pair's failed log-ins are remembered this long; its wait never grows beyond it.
LOGIN_MEMORY_SECONDS = 24 * 3600


def _pair_must_wait(pair_key: str, limit: int, window: int) -> bool:
    """One name tried from one address: the first `limit` failures cost nothing; then the pair
    waits `window` seconds after its latest failure, twice as long after each further one."""
    failures, latest = ratelimit.recent(pair_key, LOGIN_MEMORY_SECONDS)
    if failures < limit or latest is None:
        return False
    wait = min(window * 2 ** min(failures - limit, 20), LOGIN_MEMORY_SECONDS)
    return utcnow() < latest + timedelta(seconds=wait)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        site = settings.current()
        window = site.login_window
        # Keyed on the address and on (address, name), never on the name alone: failures from
        # elsewhere must not refuse the right password, and a class shares one school address.
        address_key = f"login-ip:{request.remote_addr}"
        pair_key = f"login-pair:{request.remote_addr}|{form.username.data.lower()}"
        if ratelimit.too_many(address_key, site.login_address_limit, window) or \
                _pair_must_wait(pair_key, site.login_limit, window):
            # Same answer whether or not the account exists.
            flash(_("Too many failed log-ins. Please wait a few minutes and try again."), "error")
            return render_template("auth/login.html", form=form, next_url=next_url), 429
        user = User.by_name(form.username.data)
        if user is None:
            User.check_password_of_nobody(form.password.data)
        elif user.check_password(form.password.data):
            ratelimit.reset(pair_key)
            start_session(user)
            return redirect(_after_log_in(user, next_url))
        ratelimit.record(address_key, window)
        ratelimit.record(pair_key, LOGIN_MEMORY_SECONDS)
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form, next_url=next_url,
                           invited=_invited_class(next_url))


def _invited_class(next_url: str | None):
    """What an invite link in `next` leads to (the page says why it asks to log in)."""
    return hooks.invitation(next_url)


def _after_log_in(user: User, next_url: str | None) -> str:
    """Where a fresh session goes: the areas' after-log-in steps first (an invite link in
    `next` joins its class), else `next`, else the home page."""
    return hooks.destination_after_log_in(user, next_url) or next_url or url_for("main.index")


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        # Sessions are signed cookies: a copy of this one must stop working too.
        current_user.end_sessions()
        db.session.commit()
        logout_user()
        session.clear()
    return redirect(url_for("main.index"))


def _account_page(form: ChangePasswordForm, new_token: str | None = None):
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "auth/account.html", form=form, token_form=TokenForm(formdata=None), tokens=tokens,
        revoke_form=EmptyForm(), new_token=new_token,
    )


def _revoke_all_tokens(user: User) -> int:
    now = utcnow()
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                       ApiToken.revoked_at.is_(None))).all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            current_user.set_password(form.password.data)
            revoked = _revoke_all_tokens(current_user) if form.revoke_tokens.data else None
            db.session.commit()
            start_session(current_user)  # the epoch changed: re-issue this session's cookie
            if revoked is not None:
                flash(_("Password changed. Other sessions were logged out and all your API "
                        "tokens were revoked (%(count)d).", count=revoked), "success")
            else:
                flash(_("Password changed. Other sessions were logged out. Your API tokens "
                        "still work; revoke them below if they may be known to someone else."),
                      "success")
            return redirect(url_for("auth.account"))
    return _account_page(form)


@bp.post("/account/tokens")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.account"))
    _token, plain = ApiToken.issue(current_user, name=form.name.data or "")
    db.session.commit()
    # Shown in this answer only: never in the session (a signed, not encrypted, cookie), never
    # in a cache, and gone on the next page.
    page = _account_page(ChangePasswordForm(formdata=None), new_token=plain)
    return page, 200, {"Cache-Control": "no-store"}


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
