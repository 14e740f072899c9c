"""Sandbox pages: its state for the lab page (JSON, polled), start, reset, a published port
opened through docklab for its owner only, and the admins' list of sandboxes."""
from __future__ import annotations

import requests
from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import admin_required
from ..forms import EmptyForm
from . import bp, services
from .models import RUNNING_STATES

# What a published port may answer through docklab (a page, not a download service).
PORT_PROXY_LIMIT = 8 * 1024 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "content-encoding", "content-length"}


def state_json(user_id: int) -> dict:
    found = services.status(user_id)
    body = found.to_dict()
    body["unavailable"] = services.unavailable()
    body["label"] = state_label(found.state)
    return body


def state_label(state: str) -> str:
    return {"none": _("no sandbox yet"), "stopped": _("stopped (your work is kept)"),
            "queued": _("waiting for a free place"), "starting": _("starting…"),
            "ready": _("ready"), "paused": _("paused")}.get(state, state)


@bp.get("/sandbox/state")
@login_required
def state():
    if request.args.get("active"):  # the lab page is open and seen: not idle
        services.touch(current_user.id)
    return jsonify(state_json(current_user.id))


@bp.post("/sandbox/start")
@login_required
def start():
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.request(current_user.id)
    except services.Unavailable as off:
        return jsonify(error="sandboxes_unavailable", message=off.reason), 409
    return jsonify(state_json(current_user.id))


@bp.post("/sandbox/reset")
@login_required
def reset():
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.wipe(current_user.id)
    except services.NoSandbox:
        pass
    if request.accept_mimetypes.best == "application/json":
        return jsonify(state_json(current_user.id))
    flash(_("Your sandbox was reset: everything in it was deleted."), "success")
    return redirect(request.referrer or url_for("labs.index"))


@bp.route("/sandbox/port/<int:port>/", defaults={"path": ""}, methods=["GET", "POST", "HEAD"])
@bp.route("/sandbox/port/<int:port>/<path:path>", methods=["GET", "POST", "HEAD"])
@login_required
def port(port: int, path: str):
    """A port the learner published, opened through docklab: only its owner reaches it (the
    sandbox's address is on the server's loopback, nobody else can)."""
    sandbox = services.sandbox_of(current_user.id)
    if sandbox is None or sandbox.state not in RUNNING_STATES or not 0 < port < 65536:
        abort(404)
    address = services.driver().address(sandbox.slot)
    query = request.query_string.decode()
    url = f"http://{address}:{port}/{path}" + (f"?{query}" if query else "")
    headers = {k: v for k, v in request.headers if k.lower() not in HOP_BY_HOP | {"host",
                                                                                  "cookie"}}
    try:
        upstream = requests.request(request.method, url, headers=headers, data=request.get_data(),
                                    timeout=(3, 10), stream=True, allow_redirects=False)
    except requests.RequestException:
        return Response(_("Nothing answers on port %(port)s of your sandbox.", port=port),
                        status=502, mimetype="text/plain")
    body = upstream.raw.read(PORT_PROXY_LIMIT + 1, decode_content=True)
    upstream.close()
    if len(body) > PORT_PROXY_LIMIT:
        return Response(_("The answer is too large to show through docklab."), status=502,
                        mimetype="text/plain")
    kept = [(k, v) for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP
            and k.lower() != "set-cookie"]
    return Response(body, status=upstream.status_code, headers=kept)


@bp.get("/admin/sandboxes")
@admin_required
def admin():
    rows = services.all_sandboxes()
    usage = {row.id: services.driver().usage(row.slot) for row in rows
             if row.state in RUNNING_STATES}
    return render_template("sandboxes/admin.html", rows=rows, usage=usage,
                           unavailable=services.unavailable(), form=EmptyForm(),
                           label=state_label)


@bp.post("/admin/sandboxes/<int:user_id>/stop")
@admin_required
def admin_stop(user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.stop(user_id)
    except services.NoSandbox:
        abort(404)
    flash(_("Sandbox stopped."), "success")
    return redirect(url_for("sandboxes.admin"))
