"""Merging duplicates and undoing the merge through the API, with the page's rights."""

from __future__ import annotations

from collections.abc import Callable

from tests.runtime.api.conftest import Api
from tests.runtime.api.test_records import customer, problem, unique


def _contact(api: Api, customer_id: int) -> dict:
    response = api.post(
        "tables/contact/records",
        {"name": unique("联系人"), "customer": customer_id, "mobile": "13912345678"},
    )
    assert response.status_code == 201, response.data
    return response.get_json()


def test_merge_repoints_references_and_undo_puts_everything_back(
    api_as: Callable[..., Api],
) -> None:
    admin = api_as("admin")
    master = customer(admin, level="a")
    other = customer(admin, level="b")
    contact = _contact(admin, other["id"])
    body = {
        "master_id": master["id"],
        "other_ids": [other["id"]],
        "field_choices": {"level": other["id"]},
    }
    merged = admin.post("tables/customer/merge", body)
    assert merged.status_code == 200, merged.data
    result = merged.get_json()
    assert result["merged_ids"] == [other["id"]]
    assert result["record"]["level"] == "b"
    assert result["repointed"]["contact.customer"] == 1
    assert (
        admin.get(f"tables/contact/records/{contact['id']}").get_json()["customer"] == master["id"]
    )
    problem(admin.get(f"tables/customer/records/{other['id']}"), 404, "not_found")

    undo = admin.post(f"tables/customer/merges/{result['merge_id']}/undo")
    assert undo.status_code == 200, undo.data
    assert undo.get_json()["record"]["level"] == "a"
    assert (
        admin.get(f"tables/contact/records/{contact['id']}").get_json()["customer"] == other["id"]
    )
    again = admin.post(f"tables/customer/merges/{result['merge_id']}/undo")
    problem(again, 409, "conflict")


def test_merge_refusals_are_problems_not_errors(api_as: Callable[..., Api]) -> None:
    admin, reader = api_as("admin"), api_as("admin", access="read")
    first = customer(admin)
    problem(
        admin.post("tables/customer/merge", {"master_id": first["id"], "other_ids": []}),
        422,
        "validation",
    )
    problem(
        admin.post("tables/customer/merge", {"master_id": first["id"], "other_ids": 5}),
        400,
        "bad_request",
    )
    problem(admin.post("tables/customer/merge", {"master": 1}), 400, "bad_request")
    problem(
        reader.post("tables/customer/merge", {"master_id": first["id"], "other_ids": [1]}),
        403,
        "token_scope",  # a read-only token
    )
    problem(admin.post("tables/customer/merges/999999/undo"), 404, "not_found")
