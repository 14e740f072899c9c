"""Instructor pages. Every view is instructor-only, and every class is looked up through
`class_for_staff`, so another instructor's class is a 404 (admins see all)."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import admin_required, instructor_required
from ..auth.forms import SetPasswordForm
from ..classes import catalog
from ..classes import services as classes
from ..classes.board import LAB_STATES, SECTION_STATES, build_board
from ..classes.models import LAB, SECTION, Classroom
from ..dates import local_day, site_zone
from ..extensions import db
from ..forms import EmptyForm
from ..hosts.policy import PolicyError, parse_policy
from ..i18n import current_lang, role_name
from ..models import User, utcnow
from ..security import safe_next
from . import board_view, bp, exports, services, stats
from .answer_words import answer_lines
from .chart import mastery_chart
from .forms import ClassForm, PolicyForm, RoleForm, SelfReportForm
from .funnel import build_funnel, class_attempts
from .timeline import timeline


def _class_or_404(class_id: int) -> Classroom:
    classroom = classes.class_for_staff(class_id, current_user)
    if classroom is None:
        abort(404)
    return classroom


def _zone() -> ZoneInfo:
    return site_zone()


@bp.route("/instructor/", methods=["GET", "POST"])
@instructor_required
def index():
    form = ClassForm()
    if form.validate_on_submit():
        classroom = classes.create_class(
            current_user, form.name.data,
            labs=[info.item.ref for info in catalog.labs()],
            sections=[info.item.ref for info in catalog.sections()])
        flash(_("Class created. Join code: %(code)s", code=classroom.join_code), "success")
        return redirect(url_for("instructor.board", class_id=classroom.id))
    taught = classes.classes_taught_by(current_user)
    sizes = {c.id: len(c.memberships) for c in taught}
    return render_template("instructor/index.html", form=form, classes=taught, sizes=sizes)


@bp.get("/instructor/classes/<int:class_id>")
@instructor_required
def board(class_id: int):
    classroom = _class_or_404(class_id)
    args = request.args
    result = build_board(classroom, query=args.get("q", ""), item_key=args.get("item", ""),
                         state=args.get("state", ""), sort=args.get("sort", "name"),
                         direction=args.get("dir", "asc"))
    invite = url_for("classes.invite", code=classroom.join_code, _external=True)
    labels = board_view.Labels.translated()
    cells = board_view.row_cells(result, labels)
    # The default view fits a laptop: labs, then one column per chapter of the notes; "all"
    # shows every quiz section, grouped under its chapter.
    # A filter or sort on one section needs that section's column.
    wants_section = any(args.get(key, "").startswith("section:") for key in ("item", "sort"))
    view = "all" if args.get("view") == "all" or wants_section else "chapters"
    groups = board_view.chapters(result)
    return render_template("instructor/board.html", classroom=classroom, board=result,
                           cells=cells, labs_label=_("%(n)s labs", n="{n}"), invite=invite,
                           zone=_zone(), lab_states=LAB_STATES, section_states=SECTION_STATES,
                           args=args, view=view, chapters=groups,
                           chapter_cells=board_view.chapter_cells(result, groups, labels),
                           chapter_means=board_view.chapter_means(result, groups),
                           lab_cells=board_view.row_cells(result, labels, labs_only=True),
                           shared_engine=services.shared_local_engine())


def _due_from_form(kind: str, refs: list[str]) -> tuple[dict, list[str]]:
    """Due dates typed as YYYY-MM-DD mean the end of that day in the site's time zone."""
    due, bad = {}, []
    for ref in refs:
        text = request.form.get(f"due-{kind}-{ref}", "").strip()
        if not text:
            continue
        try:
            day = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            bad.append(text)
            continue
        local = datetime.combine(day, time(23, 59, 59), tzinfo=_zone())
        due[ref] = local.astimezone(ZoneInfo("UTC"))
    return due, bad


@bp.route("/instructor/classes/<int:class_id>/settings", methods=["GET", "POST"])
@instructor_required
def settings(class_id: int):
    classroom = _class_or_404(class_id)
    name_form = ClassForm(prefix="class", obj=classroom)
    policy_form = PolicyForm(prefix="policy")
    self_report_form = SelfReportForm(prefix="self", count=classroom.self_reports_count)
    all_labs, all_sections = catalog.labs(), catalog.sections()
    typed = None
    if request.method == "POST" and request.form.get("action") == "assignments":
        if EmptyForm().validate_on_submit():
            valid_labs = {info.item.ref for info in all_labs}
            valid_sections = {info.item.ref for info in all_sections}
            labs = [ref for ref in request.form.getlist("lab") if ref in valid_labs]
            sections = [ref for ref in request.form.getlist("section") if ref in valid_sections]
            lab_due, bad_labs = _due_from_form(LAB, labs)
            section_due, bad_sections = _due_from_form(SECTION, sections)
            if bad_labs or bad_sections:
                flash(_("Not a date (use YYYY-MM-DD): %(values)s",
                        values=", ".join(bad_labs + bad_sections)), "error")
                typed = request.form
            else:
                classes.set_assignments(classroom, LAB, labs, lab_due)
                classes.set_assignments(classroom, SECTION, sections, section_due)
                db.session.commit()
                flash(_("Assignments saved."), "success")
                return redirect(url_for("instructor.settings", class_id=class_id))
    elif request.method == "POST" and request.form.get("action") == "name":
        if name_form.validate_on_submit():
            classroom.name = name_form.name.data.strip()
            db.session.commit()
            flash(_("Class renamed."), "success")
            return redirect(url_for("instructor.settings", class_id=class_id))
    elif request.method == "POST" and request.form.get("action") == "self_reports":
        if self_report_form.validate_on_submit():
            classroom.self_reports_count = bool(self_report_form.count.data)
            db.session.commit()
            flash(_("Self-reported passes now count as passed in this class.")
                  if classroom.self_reports_count else
                  _("Self-reported passes no longer count as passed in this class."), "success")
            return redirect(url_for("instructor.settings", class_id=class_id))
    elif request.method == "POST" and request.form.get("action") == "policy":
        if policy_form.validate_on_submit():
            try:
                networks, hostnames = parse_policy(policy_form.networks.data,
                                                   policy_form.hostnames.data)
            except PolicyError as error:
                if error.reason == "special":
                    message = _("%(entry)s would open loopback, link-local or this server's own "
                                "addresses; only an admin can allow those (allowed hosts page).",
                                entry=error.entry)
                else:
                    message = _("Not a network or host name: %(entry)s", entry=error.entry)
                policy_form.networks.errors.append(message)
            else:
                classes.set_policy(classroom, networks, hostnames)
                flash(_("Hosts policy saved."), "success")
                return redirect(url_for("instructor.settings", class_id=class_id))
    if request.method == "GET":
        policy_form.networks.data = "\n".join(classroom.allowed_networks or [])
        policy_form.hostnames.data = "\n".join(classroom.allowed_hostnames or [])
    assigned = {(item.kind, item.ref): item for item in classroom.assignments}
    due_text = {key: local_day(item.due_at) for key, item in assigned.items()}
    return render_template(
        "instructor/settings.html", classroom=classroom, name_form=name_form,
        policy_form=policy_form, self_report_form=self_report_form, labs=all_labs,
        sections=all_sections, assigned=assigned,
        due_text=due_text, typed=typed, empty_form=EmptyForm(),
        roster=classes.roster(classroom),
        invite=url_for("classes.invite", code=classroom.join_code, _external=True))


@bp.post("/instructor/classes/<int:class_id>/code")
@instructor_required
def rotate_code(class_id: int):
    classroom = _class_or_404(class_id)
    if EmptyForm().validate_on_submit():
        code = classes.rotate_code(classroom)
        flash(_("New join code: %(code)s. The old code no longer works.", code=code), "success")
    return redirect(url_for("instructor.settings", class_id=class_id))


@bp.post("/instructor/classes/<int:class_id>/students/<int:user_id>/remove")
@instructor_required
def remove_student(class_id: int, user_id: int):
    classroom = _class_or_404(class_id)
    student = classes.member_or_none(classroom, user_id)
    if student is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        classes.leave(classroom, user_id)
        flash(_("%(name)s was removed from the class.", name=student.username), "success")
    return redirect(url_for("instructor.settings", class_id=class_id))


@bp.get("/instructor/classes/<int:class_id>/students/<int:user_id>")
@instructor_required
def student(class_id: int, user_id: int):
    classroom = _class_or_404(class_id)
    learner = classes.member_or_none(classroom, user_id)
    if learner is None:
        abort(404)
    answers = stats.class_answers(classroom, user_id=user_id)
    events = timeline(user_id, answers)
    return render_template("instructor/student.html", classroom=classroom, learner=learner,
                           events=events, lang=current_lang(), zone=_zone(),
                           answer_lines=answer_lines)


@bp.get("/instructor/classes/<int:class_id>/labs/<lab_id>")
@instructor_required
def lab(class_id: int, lab_id: str):
    classroom = _class_or_404(class_id)
    info = catalog.lab(lab_id)
    if info is None:
        abort(404)
    roster = classes.roster(classroom)
    funnel = build_funnel(classroom, info, len(roster))
    return render_template("instructor/lab.html", classroom=classroom, funnel=funnel,
                           names=exports.usernames(roster), zone=_zone())


@bp.get("/instructor/classes/<int:class_id>/questions")
@instructor_required
def questions(class_id: int):
    classroom = _class_or_404(class_id)
    answers = stats.class_answers(classroom)
    sections = stats.question_stats(answers, current_lang())
    roster_size = len(classroom.memberships)
    anchors = [item.ref for item in classroom.assigned(SECTION)] or \
        [info.item.ref for info in catalog.sections()]
    series = stats.mastery_over_time(answers, anchors, roster_size,
                                     zone=str(_zone().key), now=utcnow())
    series = [item for item in series if any(value for _at, value in item.points)] or series
    chart = mastery_chart(series, _("Class mastery per section over time"),
                          _("Mean share of each section's questions the class answers right, "
                            "per day; the table below has the same numbers."))
    return render_template("instructor/questions.html", classroom=classroom, sections=sections,
                           series=series, chart=chart, lang=current_lang(),
                           min_learners=stats.MIN_LEARNERS_FOR_FLAG)


def _csv(body: str, filename: str) -> Response:
    return Response(body, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.get("/instructor/classes/<int:class_id>/export/grid.csv")
@instructor_required
def export_grid(class_id: int):
    classroom = _class_or_404(class_id)
    result = build_board(classroom, sort=request.args.get("sort", "name"),
                         direction=request.args.get("dir", "asc"))
    return _csv(exports.grid_csv(result, current_lang()), f"class-{class_id}-grid.csv")


@bp.get("/instructor/classes/<int:class_id>/export/attempts.csv")
@instructor_required
def export_attempts(class_id: int):
    classroom = _class_or_404(class_id)
    names = exports.usernames(classes.roster(classroom))
    return _csv(exports.attempts_csv(class_attempts(classroom), names,
                                     classroom.self_reports_count, current_lang(), _zone()),
                f"class-{class_id}-attempts.csv")


@bp.get("/instructor/classes/<int:class_id>/export/answers.csv")
@instructor_required
def export_answers(class_id: int):
    classroom = _class_or_404(class_id)
    names = exports.usernames(classes.roster(classroom))
    return _csv(exports.answers_csv(stats.class_answers(classroom), names, current_lang(),
                                    _zone()),
                f"class-{class_id}-answers.csv")


# --- passwords: staff set a new one for a learner who lost theirs ------------------------------
@bp.route("/instructor/users/<int:user_id>/password", methods=["GET", "POST"])
@instructor_required
def set_password(user_id: int):
    """An admin for anyone, an instructor for a student of their classes (services rule);
    anyone else gets a 404, so the page does not tell which accounts exist."""
    target = db.session.get(User, user_id)
    if target is None or not services.may_set_password(current_user, target):
        abort(404)
    back = safe_next(request.args.get("back")) or (
        url_for("instructor.admin_users") if current_user.is_admin else url_for("instructor.index"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(target, form.password.data)
        flash(_("New password set for %(name)s. Their open sessions were logged out; give them "
                "the new password in person.", name=target.username), "success")
        return redirect(back)
    return render_template("instructor/set_password.html", target=target, form=form, back=back)


# --- admin: who is an instructor ---------------------------------------------------------------
@bp.get("/admin/users")
@admin_required
def admin_users():
    needle = request.args.get("q", "").strip()
    query = select(User).order_by(User.username)
    if needle:
        query = query.where(User.username.contains(needle))
    users = db.session.scalars(query.limit(500)).all()
    return render_template("instructor/admin_users.html", users=users, q=needle,
                           role_form=RoleForm, managed=services.MANAGED_ROLES)


@bp.post("/admin/users/<int:user_id>/role")
@admin_required
def admin_set_role(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = RoleForm()
    if form.validate_on_submit() and services.set_role(user, form.role.data):
        flash(_("%(name)s is now: %(role)s", name=user.username,
                role=role_name(form.role.data)),
              "success")
    else:
        flash(_("The role of %(name)s was not changed.", name=user.username), "error")
    return redirect(url_for("instructor.admin_users", q=request.args.get("q", "")))
