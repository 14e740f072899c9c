"""Join a class (code or invite link), list my classes and their assignments, leave one."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import role_required
from ..forms import EmptyForm
from . import bp, services
from .forms import JoinForm
from .models import LAB, SECTION
from .todo import class_todo


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    form = JoinForm()
    if form.validate_on_submit():
        if current_user.role != "student":
            flash(_("Only students join classes; instructors create them."), "error")
        else:
            joining = services.join_with_code(current_user, form.code.data)
            if joining.limited:
                flash(_("Too many wrong codes. Please try again later."), "error")
                return _page(form), 429
            if joining.classroom is None:
                form.code.errors.append(_("No class has this code. Check it with your "
                                          "instructor."))
            else:
                name = joining.classroom.name
                flash(_("You joined %(name)s.", name=name) if joining.joined
                      else _("You are already in %(name)s.", name=name), "success")
                return redirect(url_for("classes.todo"))
    return _page(form)


# Where an assigned item is practised.
ITEM_PAGES = {SECTION: ("quiz.section", "anchor"), LAB: ("labs.lab", "lab_id")}


def item_url(item) -> str:
    endpoint, argument = ITEM_PAGES[item.kind]
    return url_for(endpoint, **{argument: item.ref})


def _page(form):
    todos = [class_todo(classroom, current_user.id)
             for classroom in services.classes_of_student(current_user.id)]
    return render_template("classes/join.html", form=form, todos=todos,
                           leave_form=EmptyForm())


@bp.get("/todo")
@role_required("student")
def todo():
    """What my classes ask of me: every assignment, done or not, with its due date."""
    todos = [class_todo(classroom, current_user.id)
             for classroom in services.classes_of_student(current_user.id)]
    return render_template("classes/todo.html", todos=todos, item_url=item_url)


@bp.get("/join/<code>")
def invite(code: str):
    """An invite link: shows which class it is and asks to confirm (joining is a POST). A
    visitor who is not logged in goes to log in (or sign up) with this link kept as `next`;
    that log-in joins the class (docklab.classes.invites)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    classroom = services.find_by_code(code)
    if classroom is None:
        abort(404)
    form = JoinForm(code=classroom.join_code)
    member = services.is_member(classroom.id, current_user.id)
    return render_template("classes/invite.html", classroom=classroom, form=form,
                           member=member)


@bp.post("/<int:class_id>/leave")
@role_required("student")
def leave(class_id: int):
    classroom = next((c for c in services.classes_of_student(current_user.id)
                      if c.id == class_id), None)
    if classroom is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        services.leave(classroom, current_user.id)
        flash(_("You left %(name)s.", name=classroom.name), "success")
    return redirect(url_for("classes.join"))
