"""Admin pages for the department tree: create under a parent, rename, set the head, move
(with the whole subtree) and delete an empty department."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from runtime import org
from runtime.db import read_transaction, write_transaction
from runtime.web.auth import admin_required
from runtime.web.i18n import gettext as _
from runtime.web.i18n import lazy_gettext as _l
from runtime.web.views import _admin_org as admin_org
from runtime.web.views._admin_common import (
    blueprint,
    department_choices,
    engine,
    optional_int,
    user_select_choices,
)


class DepartmentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=100)])
    parent = SelectField(_l("Parent department"), default="")
    head = SelectField(_l("Head"), default="")


def _fill_choices(form: DepartmentForm, conn: Any, department: dict[str, Any] | None) -> None:
    parents = department_choices(conn, blank=_("(Top level)"))
    if department is not None:
        # Not under itself or its own sub-departments.
        below = {str(i) for i in org.departments_below(conn, department["id"])}
        parents = [c for c in parents if c[0] not in below]
    form.parent.choices = parents
    form.head.choices = user_select_choices(conn, blank=_("No head"))


@blueprint.route("/departments")
@admin_required
def departments() -> Any:
    with read_transaction(engine()) as conn:
        tree = admin_org.department_tree(conn)
    return render_template("admin/departments.html", tree=tree)


@blueprint.route("/departments/new", methods=["GET", "POST"])
@admin_required
def new_department() -> Any:
    form = DepartmentForm()
    if request.method == "GET":
        form.parent.data = request.args.get("parent", "")
    with read_transaction(engine()) as conn:
        _fill_choices(form, conn, None)
    if form.validate_on_submit():
        with write_transaction(engine()) as conn:
            org.create_department(
                conn,
                form.name.data.strip(),
                optional_int(form.parent.data),
                head_user_id=optional_int(form.head.data),
            )
        flash(_("Department %(name)s was created.", name=form.name.data.strip()), "success")
        return redirect(url_for("admin.departments"))
    return render_template("admin/department_form.html", form=form, department=None)


@blueprint.route("/departments/<int:department_id>", methods=["GET", "POST"])
@admin_required
def edit_department(department_id: int) -> Any:
    with read_transaction(engine()) as conn:
        department = _department_or_404(conn, department_id)
        members = org.list_users(conn, department_id=department_id)
    form = DepartmentForm(
        data=None
        if request.method == "POST"
        else {
            "name": department["name"],
            "parent": str(department["parent_id"] or ""),
            "head": str(department["head_user_id"] or ""),
        }
    )
    with read_transaction(engine()) as conn:
        _fill_choices(form, conn, department)
    if form.validate_on_submit():
        try:
            with write_transaction(engine()) as conn:
                admin_org.rename_department(conn, department_id, form.name.data.strip())
                admin_org.set_department_head(conn, department_id, optional_int(form.head.data))
                admin_org.move_department(conn, department_id, optional_int(form.parent.data))
        except admin_org.DepartmentMoveRefused:
            form.parent.errors = [_("A department cannot move under itself or below itself.")]
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.departments"))
    return render_template(
        "admin/department_form.html", form=form, department=department, members=members
    )


@blueprint.route("/departments/<int:department_id>/delete", methods=["POST"])
@admin_required
def delete_department(department_id: int) -> Any:
    try:
        with write_transaction(engine()) as conn:
            department = _department_or_404(conn, department_id)
            admin_org.delete_department(conn, department_id)
    except admin_org.DepartmentInUse as refused:
        flash(
            _(
                "This department cannot be deleted: it still has %(users)d users and "
                "%(children)d sub-departments. Move them elsewhere first.",
                users=refused.users,
                children=refused.children,
            ),
            "error",
        )
        return redirect(url_for("admin.edit_department", department_id=department_id))
    flash(_("Department %(name)s was deleted.", name=department["name"]), "success")
    return redirect(url_for("admin.departments"))


def _department_or_404(conn: Any, department_id: int) -> dict[str, Any]:
    try:
        return admin_org.get_department(conn, department_id)
    except org.UnknownDepartment:
        abort(404)
