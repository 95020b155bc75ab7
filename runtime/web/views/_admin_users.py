"""Admin pages for users: list with filters, create, edit, deactivate / reactivate and
reset password. Roles are the user's roles in the web app's app key."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from runtime import org
from runtime.accounts import set_password
from runtime.db import read_transaction, write_transaction
from runtime.passwords import generate_password
from runtime.web.auth import admin_required
from runtime.web.i18n import gettext as _
from runtime.web.i18n import lazy_gettext as _l
from runtime.web.views import _admin_org as admin_org
from runtime.web.views._admin_common import (
    PAGE_SIZE,
    app_key,
    app_spec,
    blueprint,
    department_choices,
    engine,
    optional_int,
    role_choices,
    role_labels,
    signed_in_id,
    user_select_choices,
)

USERNAME = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    message=_l("Letters, digits, dot, dash and underscore; start with a letter or digit."),
)


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter a username.")), Length(max=64), USERNAME],
    )
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(_l("Enter a name.")), Length(max=100)]
    )
    email = StringField(
        _l("Email"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Not an email address.")),
        ],
    )
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^[0-9+()\- ]+$", message=_l("Digits, +, -, spaces and brackets only.")),
        ],
    )
    department = SelectField(_l("Department"), default="")
    manager = SelectField(_l("Manager"), default="")
    roles = CheckboxList(_l("Roles"))
    is_admin = BooleanField(_l("Administrator (manages users, departments and roles)"))
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), Length(min=8, max=200, message=_l("At least 8 characters"))],
        description=_l("Leave empty to generate one; it is shown once."),
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(min=8, max=200, message=_l("At least 8 characters"))],
        description=_l("Leave empty to generate one; it is shown once."),
    )


def _fill_choices(form: UserForm, conn: Any) -> None:
    form.department.choices = department_choices(conn, blank=_("No department"))
    form.manager.choices = user_select_choices(conn, blank=_("No manager"))
    form.roles.choices = role_choices(app_spec())


@blueprint.route("/users")
@admin_required
def users() -> Any:
    wanted = admin_org.UserFilter(
        search=request.args.get("q", "").strip(),
        department_id=optional_int(request.args.get("department")),
        role_key=request.args.get("role", ""),
        status=request.args.get("status", "active")
        if request.args.get("status") in ("active", "inactive", "all")
        else "active",
    )
    page = max(optional_int(request.args.get("page")) or 1, 1)
    with read_transaction(engine()) as conn:
        rows, total = admin_org.search_users(
            conn, app_key(), wanted, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        departments = dict(department_choices(conn))
        roles = admin_org.roles_by_user(conn, app_key())
    return render_template(
        "admin/users.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        wanted=wanted,
        departments={k: v.strip("\u3000") for k, v in departments.items()},
        department_options=list(departments.items()),
        roles=roles,
        role_labels=role_labels(app_spec()),
    )


@blueprint.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user() -> Any:
    form = UserForm()
    with read_transaction(engine()) as conn:
        _fill_choices(form, conn)
    valid = form.validate_on_submit()
    username = (form.username.data or "").strip()
    if form.is_submitted() and username:
        with read_transaction(engine()) as conn:
            if admin_org.username_taken(conn, username):
                form.username.errors = [*form.username.errors, _("This username is already taken.")]
                valid = False
    if valid:
        password = form.password.data or generate_password()
        with write_transaction(engine()) as conn:
            user_id = org.create_user(
                conn,
                username,
                form.display_name.data.strip(),
                optional_int(form.department.data),
                is_admin=bool(form.is_admin.data),
                email=form.email.data or None,
                phone=form.phone.data or None,
                manager_id=optional_int(form.manager.data),
            )
            set_password(conn, user_id, password)
            admin_org.set_roles(conn, user_id, app_key(), form.roles.data or [])
        flash(_("User %(name)s was created.", name=form.display_name.data), "success")
        if form.password.data:
            return redirect(url_for("admin.edit_user", user_id=user_id))
        return _password_page(username, password, user_id)
    return render_template("admin/user_form.html", form=form, user=None, reset=None)


@blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int) -> Any:
    with read_transaction(engine()) as conn:
        user = _user_or_404(conn, user_id)
        roles = sorted(org.user_roles(conn, user_id, app_key()))
    form = UserForm(
        data=None
        if request.method == "POST"
        else {
            "username": user["username"],
            "display_name": user["display_name"],
            "email": user["email"] or "",
            "phone": user["phone"] or "",
            "department": str(user["department_id"] or ""),
            "manager": str(user["manager_id"] or ""),
            "roles": roles,
            "is_admin": user["is_admin"],
        }
    )
    form.username.data = user["username"]  # the username does not change
    with read_transaction(engine()) as conn:
        _fill_choices(form, conn)
    form.manager.choices = [c for c in form.manager.choices if c[0] != str(user_id)]
    if form.validate_on_submit():
        if user_id == signed_in_id() and not form.is_admin.data:
            form.is_admin.errors = [_("You cannot remove your own administrator rights.")]
        else:
            with write_transaction(engine()) as conn:
                admin_org.update_user(
                    conn,
                    user_id,
                    display_name=form.display_name.data.strip(),
                    email=form.email.data or None,
                    phone=form.phone.data or None,
                    department_id=optional_int(form.department.data),
                    manager_id=optional_int(form.manager.data),
                    is_admin=bool(form.is_admin.data),
                )
                admin_org.set_roles(conn, user_id, app_key(), form.roles.data or [])
            flash(_("Saved."), "success")
            return redirect(url_for("admin.edit_user", user_id=user_id))
    return render_template(
        "admin/user_form.html", form=form, user=user, reset=ResetPasswordForm(formdata=None)
    )


@blueprint.route("/users/<int:user_id>/password", methods=["POST"])
@admin_required
def reset_password(user_id: int) -> Any:
    with read_transaction(engine()) as conn:
        user = _user_or_404(conn, user_id)
    reset = ResetPasswordForm()
    if not reset.validate_on_submit():
        form = UserForm(formdata=None, data={"username": user["username"]})
        with read_transaction(engine()) as conn:
            _fill_choices(form, conn)
        flash(_("The password was not changed."), "error")
        return render_template("admin/user_form.html", form=form, user=user, reset=reset), 400
    password = reset.new_password.data or generate_password()
    with write_transaction(engine()) as conn:
        set_password(conn, user_id, password)
    if reset.new_password.data:
        flash(_("The password of %(name)s was changed.", name=user["display_name"]), "success")
        return redirect(url_for("admin.edit_user", user_id=user_id))
    return _password_page(user["username"], password, user_id)


@blueprint.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def set_active(user_id: int) -> Any:
    active = request.form.get("active") == "1"
    if user_id == signed_in_id() and not active:
        flash(_("You cannot deactivate yourself."), "error")
        return redirect(url_for("admin.edit_user", user_id=user_id))
    with write_transaction(engine()) as conn:
        user = _user_or_404(conn, user_id)
        if active:
            admin_org.reactivate_user(conn, user_id)
        else:
            org.deactivate_user(conn, user_id)
    name = user["display_name"]
    if active:
        flash(_("%(name)s can sign in again.", name=name), "success")
    else:
        flash(_("%(name)s can no longer sign in.", name=name), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


def _password_page(username: str, password: str, user_id: int) -> Any:
    """The one page that shows a generated password; never cached."""
    response = make_response(
        render_template(
            "admin/password_shown.html", username=username, password=password, user_id=user_id
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _user_or_404(conn: Any, user_id: int) -> dict[str, Any]:
    try:
        return org.get_user(conn, user_id)
    except org.UnknownUser:
        abort(404)
