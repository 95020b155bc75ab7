"""Admin pages for roles: the list, a new role, deleting an unused one, the permission
matrix (saved as a new published version of the app definition) and role members."""

from __future__ import annotations

import copy
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from runtime import org
from runtime.db import read_transaction, write_transaction
from runtime.records.actor import ADMIN_ROLE
from runtime.web.auth import admin_required
from runtime.web.i18n import current_locale
from runtime.web.i18n import gettext as _
from runtime.web.i18n import lazy_gettext as _l
from runtime.web.views import _admin_definition as definitions
from runtime.web.views import _admin_org as admin_org
from runtime.web.views._admin_common import (
    app_key,
    blueprint,
    engine,
    optional_int,
    signed_in_id,
    user_select_choices,
)
from runtime.web.views._admin_permissions import (
    ALL_TABLES,
    CONDITION,
    apply_matrix,
    describe_condition,
    permission_rows,
)
from schemas.spec import FIELD_ACCESS, ROW_SCOPES, TABLE_ACTIONS, localize


class RoleForm(FlaskForm):
    key = StringField(
        _l("Key"),
        validators=[
            DataRequired(_l("Enter a key.")),
            Length(max=40),
            Regexp(
                r"^[a-z][a-z0-9_]*$",
                message=_l("Lowercase letters, digits and _; start with a letter."),
            ),
        ],
        description=_l("Used inside the definition; cannot be changed later."),
    )
    label_zh = StringField(
        _l("Name (Chinese)"), validators=[DataRequired(_l("Enter a name.")), Length(max=100)]
    )
    label_en = StringField(
        _l("Name (English)"), validators=[DataRequired(_l("Enter a name.")), Length(max=100)]
    )
    description_zh = StringField(_l("Description (Chinese)"), validators=[Optional()])
    description_en = StringField(_l("Description (English)"), validators=[Optional()])
    copy_from = SelectField(_l("Start with the permissions of"), default="")


def _definition() -> definitions.Definition:
    return definitions.current_definition(engine(), app_key())


def _role_or_404(definition: definitions.Definition, role_key: str) -> dict[str, Any]:
    role = definitions.role_document(definition, role_key)
    if role is None:
        abort(404)
    return role


def _publish(based_on: int, change: Any) -> definitions.PublishOutcome | None:
    """Publish a roles change; None (with a flashed message) when the definition moved on."""
    try:
        return definitions.change_roles(
            engine(),
            app_key(),
            based_on,
            change,
            published_by=signed_in_id(),
            locale=current_locale(),
        )
    except definitions.DefinitionChanged:
        flash(
            _("The app was published again while you were editing. Reload and try again."),
            "error",
        )
        return None


@blueprint.route("/roles")
@admin_required
def roles() -> Any:
    definition = _definition()
    with read_transaction(engine()) as conn:
        counts = admin_org.member_counts(conn, app_key())
    return render_template(
        "admin/roles.html",
        roles=definition.spec.roles,
        counts=counts,
        version_no=definition.version_no,
        admin_role=ADMIN_ROLE,
    )


@blueprint.route("/roles/new", methods=["GET", "POST"])
@admin_required
def new_role() -> Any:
    definition = _definition()
    form = RoleForm()
    form.copy_from.choices = [("", _("Nothing (no permissions)"))] + [
        (r.key, localize(r.label, current_locale())) for r in definition.spec.roles
    ]
    if form.validate_on_submit():
        key = form.key.data.strip()
        if definitions.role_document(definition, key) is not None:
            form.key.errors.append(_("A role with this key already exists."))
        else:
            role: dict[str, Any] = {
                "key": key,
                "label": {"zh-CN": form.label_zh.data.strip(), "en": form.label_en.data.strip()},
                "permissions": {},
            }
            if form.description_zh.data or form.description_en.data:
                role["description"] = {
                    "zh-CN": form.description_zh.data or form.description_en.data,
                    "en": form.description_en.data or form.description_zh.data,
                }
            source = definitions.role_document(definition, form.copy_from.data or "")
            if source is not None:
                role["permissions"] = copy.deepcopy(source.get("permissions") or {})
            outcome = _publish(definition.version_no, lambda roles: roles.append(role))
            if outcome is not None and not outcome.problems:
                flash(_("Role %(name)s was created.", name=form.label_zh.data), "success")
                return redirect(url_for("admin.role", role_key=key))
            if outcome is not None:
                form.key.errors.extend(outcome.problems)
    return render_template("admin/role_form.html", form=form)


@blueprint.route("/roles/<role_key>", methods=["GET", "POST"])
@admin_required
def role(role_key: str) -> Any:
    definition = _definition()
    role_doc = _role_or_404(definition, role_key)
    permissions = role_doc.get("permissions") or {}
    errors: dict[str, list[str]] = {}
    problems: list[str] = []
    if request.method == "POST" and role_key != ADMIN_ROLE:
        based_on = optional_int(request.form.get("version_no")) or 0
        new_permissions, errors = apply_matrix(definition.spec, permissions, request.form)
        if not errors:

            def change(roles: list[dict[str, Any]]) -> None:
                for entry in roles:
                    if entry.get("key") == role_key:
                        entry["permissions"] = new_permissions

            outcome = _publish(based_on, change)
            if outcome is not None and not outcome.problems:
                flash(
                    _(
                        "Permissions saved: version %(version)d is published.",
                        version=outcome.version_no or 0,
                    ),
                    "success",
                )
                return redirect(url_for("admin.role", role_key=role_key))
            problems = outcome.problems if outcome is not None else []
        if errors or problems:
            flash(_("Nothing was saved: please correct the marked rows."), "error")
    with read_transaction(engine()) as conn:
        member_count = admin_org.role_member_count(conn, app_key(), role_key)
    return render_template(
        "admin/role.html",
        role=definition.spec.role(role_key),
        rows=permission_rows(definition.spec, permissions),
        app=definition.spec,
        version_no=definition.version_no,
        member_count=member_count,
        errors=errors,
        problems=problems,
        actions=TABLE_ACTIONS,
        scopes=ROW_SCOPES,
        field_access=FIELD_ACCESS,
        all_tables=ALL_TABLES,
        condition=CONDITION,
        describe=lambda cond, table: describe_condition(
            cond, definition.spec, table, current_locale()
        ),
        is_admin_role=role_key == ADMIN_ROLE,
    ), 400 if errors or problems else 200


@blueprint.route("/roles/<role_key>/delete", methods=["POST"])
@admin_required
def delete_role(role_key: str) -> Any:
    definition = _definition()
    role_doc = _role_or_404(definition, role_key)
    label = localize(role_doc["label"], current_locale())
    with read_transaction(engine()) as conn:
        members = admin_org.role_member_count(conn, app_key(), role_key)
    if role_key == ADMIN_ROLE:
        flash(_("The built-in administrator role cannot be deleted."), "error")
    elif members:
        flash(
            _(
                "Role %(name)s still has %(count)d members: remove them first.",
                name=label,
                count=members,
            ),
            "error",
        )
    else:

        def change(roles: list[dict[str, Any]]) -> None:
            roles[:] = [r for r in roles if r.get("key") != role_key]

        outcome = _publish(optional_int(request.form.get("version_no")) or 0, change)
        if outcome is not None and outcome.problems:
            for problem in outcome.problems:
                flash(problem, "error")
        elif outcome is not None:
            flash(_("Role %(name)s was deleted.", name=label), "success")
            return redirect(url_for("admin.roles"))
    return redirect(url_for("admin.role", role_key=role_key))


@blueprint.route("/roles/<role_key>/members", methods=["GET", "POST"])
@admin_required
def role_members(role_key: str) -> Any:
    definition = _definition()
    _role_or_404(definition, role_key)
    if request.method == "POST":
        user_id = optional_int(request.form.get("user_id"))
        with write_transaction(engine()) as conn:
            try:
                user = org.get_user(conn, user_id) if user_id is not None else None
            except org.UnknownUser:
                user = None
            if user is None:
                flash(_("Choose a user to add."), "error")
            else:
                org.assign_role(conn, user["id"], app_key(), role_key)
                flash(_("%(name)s was added.", name=user["display_name"]), "success")
        return redirect(url_for("admin.role_members", role_key=role_key))
    with read_transaction(engine()) as conn:
        member_ids = org.role_members(conn, app_key(), role_key)
        members = [org.get_user(conn, i) for i in member_ids]
        choices = [
            c
            for c in user_select_choices(conn, blank=_("Choose a user"))
            if optional_int(c[0]) not in member_ids
        ]
        departments = {d["id"]: d["name"] for d in org.list_departments(conn)}
    return render_template(
        "admin/role_members.html",
        role=definition.spec.role(role_key),
        members=members,
        choices=choices,
        departments=departments,
    )


@blueprint.route("/roles/<role_key>/members/<int:user_id>/remove", methods=["POST"])
@admin_required
def remove_member(role_key: str, user_id: int) -> Any:
    _role_or_404(_definition(), role_key)
    with write_transaction(engine()) as conn:
        org.revoke_role(conn, user_id, app_key(), role_key)
    flash(_("The member was removed."), "success")
    return redirect(url_for("admin.role_members", role_key=role_key))
