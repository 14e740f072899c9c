"""Host pages: list, register (local, TLS, SSH, other), default, test connection, delete; the
admin's allow-list page. Others' hosts are 404."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grader.hosts import HostError

from .. import settings
from ..access import admin_required
from ..forms import EmptyForm
from ..i18n import current_lang
from . import bp, outbound, services
from .forms import LocalHostForm, OtherHostForm, RuleForm, SshHostForm, TlsHostForm
from .models import LOCAL, PLAIN, SSH, TLS, UNIX
from .policy import HostRefused


def _page(status: int = 200, **forms):
    user_id = current_user.id
    policy = services.policy_for(user_id)
    context = {
        "hosts": services.hosts_of(user_id),
        "local_enabled": settings.current().local_engine,
        "local_url": settings.current().local_engine_url,
        "ssh_public_key": services.ssh_key_for(user_id).public_key,
        "show_other": bool(policy.sockets) or policy.allow_plain_tcp,
        "policy": policy,
        "local_form": forms.get("local_form") or LocalHostForm(formdata=None),
        "tls_form": forms.get("tls_form") or TlsHostForm(formdata=None),
        "ssh_form": forms.get("ssh_form") or SshHostForm(formdata=None),
        "other_form": forms.get("other_form") or OtherHostForm(formdata=None),
        "button_form": EmptyForm(),
        "open_form": forms.get("open_form"),
    }
    return render_template("hosts/index.html", **context), status


@bp.get("/hosts")
@login_required
def index():
    return _page()


def _read(field) -> bytes | None:
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.read(services.MAX_PEM_BYTES + 1)


def _register(form, form_name: str, kind: str, **files):
    if not form.validate_on_submit():
        return _page(422, **{form_name: form, "open_form": form_name})
    try:
        host = services.register(current_user.id, kind, form.name.data or "",
                                 getattr(form, "url", None) and form.url.data or "",
                                 make_default=bool(getattr(form, "make_default", None)
                                                   and form.make_default.data), **files)
    except (HostRefused, services.RegistrationError, outbound.Busy,
            outbound.AlreadyRunning) as problem:
        target = form.url if hasattr(form, "url") else form.name
        target.errors = [*target.errors, problem.message(current_lang())]
        return _page(422, **{form_name: form, "open_form": form_name})
    flash(_("Host “%(name)s” registered.", name=host.name), "success")
    return redirect(url_for("hosts.index"))


@bp.post("/hosts/local")
@login_required
def add_local():
    return _register(LocalHostForm(), "local_form", LOCAL)


@bp.post("/hosts/tls")
@login_required
def add_tls():
    form = TlsHostForm()
    files = {"tls_ca": _read(form.ca), "tls_cert": _read(form.cert), "tls_key": _read(form.key)}
    return _register(form, "tls_form", TLS, **files)


@bp.post("/hosts/ssh")
@login_required
def add_ssh():
    return _register(SshHostForm(), "ssh_form", SSH)


@bp.post("/hosts/other")
@login_required
def add_other():
    form = OtherHostForm()
    kind = UNIX if (form.url.data or "").startswith("unix://") else PLAIN
    return _register(form, "other_form", kind)


def _own(host_id: int):
    host = services.host_of(current_user.id, host_id)
    if host is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return host


@bp.post("/hosts/<int:host_id>/default")
@login_required
def make_default(host_id: int):
    host = _own(host_id)
    services.set_default(host)
    flash(_("“%(name)s” is now your default host.", name=host.name), "success")
    return redirect(url_for("hosts.index"))


@bp.post("/hosts/<int:host_id>/delete")
@login_required
def delete(host_id: int):
    host = _own(host_id)
    name = host.name
    services.delete_host(host)
    flash(_("Host “%(name)s” and its keys were deleted.", name=name), "success")
    return redirect(url_for("hosts.index"))


@bp.post("/hosts/<int:host_id>/test")
@login_required
def test(host_id: int):
    host = _own(host_id)
    return _test(host, host.name)


@bp.post("/hosts/local/test")
@login_required
def test_local():
    """The local engine a learner without hosts is graded on."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _test(None, _("local engine"))


def _test(host, name: str):
    try:
        summary = services.test_connection(current_user.id, host)
    except (outbound.Busy, outbound.AlreadyRunning) as refused:
        flash(refused.message(current_lang()), "error")
    except (HostError, HostRefused, services.RegistrationError, services.NoHost) as problem:
        flash(_("Connection to “%(name)s” failed: %(reason)s", name=name,
                reason=problem.message(current_lang())), "error")
    else:
        flash(_("Connected to “%(name)s”: Docker %(version)s (API %(api)s, %(os)s/%(arch)s).",
                name=name, version=summary.get("version"), api=summary.get("api_version"),
                os=summary.get("os"), arch=summary.get("arch")), "success")
    return redirect(url_for("hosts.index"))


@bp.post("/hosts/ssh-key")
@login_required
def regenerate_key():
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.regenerate_ssh_key(current_user.id)
    flash(_("A new SSH key pair was made. Hosts registered before keep their old key."), "success")
    return redirect(url_for("hosts.index") + "#ssh")


# --- admin: the site's allow-list ---------------------------------------------------------------
@bp.route("/hosts/allowed", methods=["GET", "POST"])
@admin_required
def allowed():
    form = RuleForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.add_rule(form.entry.data, form.note.data or "", current_user.id)
            except ValueError as problem:
                form.entry.errors = [*form.entry.errors, str(problem)]
                status = 422
            else:
                flash(_("Allowed: %(entry)s", entry=form.entry.data), "success")
                return redirect(url_for("hosts.allowed"))
        else:
            status = 422
    return render_template("hosts/allowed.html", form=form, rules=services.rules(),
                           defaults=list(settings.current().allowed_hosts),
                           local_enabled=settings.current().local_engine,
                           button_form=EmptyForm()), status


@bp.post("/hosts/allowed/<int:rule_id>/delete")
@admin_required
def delete_rule(rule_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not services.delete_rule(rule_id):
        abort(404)
    flash(_("Entry removed."), "success")
    return redirect(url_for("hosts.allowed"))
