"""`/api/v1/members` and `/api/v1/sponsors`: enrol, find, and see who pays for whom."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.kpj import is_valid_kpj
from sertakan.registry.nik import build_nik
from tests.support.auth import last_code, sign_up_code
from tests.support.people import household, worker


def proven(client: TestClient, provider: RecordingProvider, body: dict[str, Any]) -> dict[str, Any]:
    """The sponsor's sign-up with the code sent to its phone (step 1 of registering)."""
    return body | {"phone_code": sign_up_code(client, provider, body["phone"])}


def test_a_valid_enrolment_answers_201_with_the_kpj_and_monthly_breakdown(
    client: TestClient,
) -> None:
    response = client.post("/api/v1/members", json=worker())

    assert response.status_code == 201
    body = response.json()
    assert is_valid_kpj(body["kpj"])
    nik = worker()["nik"]
    assert body["nik_masked"] == nik[:4] + "********" + nik[-4:]
    assert body["nik"] == nik  # a branch officer checks identity at the counter: NIK in full
    assert body["phone"] == "+6281234567890"
    assert body["status"] == "menunggu"
    assert body["status_label"] == "Menunggu pembayaran pertama"
    assert body["monthly_contribution"]["parts"] == {"JKK": 5_000, "JKM": 3_400, "JHT": 20_000}
    assert body["monthly_contribution"]["total"] == 28_400
    assert client.get(f"/api/v1/members/{body['id']}").json()["kpj"] == body["kpj"]


def test_enrolling_the_same_nik_again_answers_409_with_the_existing_kpj_masked(
    client: TestClient,
) -> None:
    kpj = client.post("/api/v1/members", json=worker()).json()["kpj"]

    response = client.post("/api/v1/members", json=worker(full_name="Orang Lain"))

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["existing_kpj"] == "*******" + kpj[-4:]
    assert kpj not in response.text


def test_an_invalid_enrolment_names_every_field_and_rule_and_keeps_nothing(
    client: TestClient,
) -> None:
    response = client.post(
        "/api/v1/members",
        json=worker(nik="1234", phone="12", declared_income=500_000, birth_date="1990-08-18"),
    )

    assert response.status_code == 422
    rules = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert ("nik", "nik.format") in rules
    assert ("declared_income", "bpu.declared_income.minimum") in rules
    assert any(field == "phone" for field, _ in rules)
    assert client.post("/api/v1/members/search", json={"q": "Siti"}).json() == []


def test_a_fractional_income_is_refused_money_is_whole_rupiah(client: TestClient) -> None:
    response = client.post("/api/v1/members", json=worker(declared_income=1_000_000.5))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "declared_income"


def test_unknown_fields_and_malformed_json_are_refused_cleanly(client: TestClient) -> None:
    assert client.post("/api/v1/members", json=worker(salary=1)).status_code == 422
    response = client.post(
        "/api/v1/members", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "Traceback" not in response.text


def test_a_sponsor_sees_each_worker_with_the_monthly_cost_and_the_total_once_they_consent(
    client: TestClient, provider: RecordingProvider
) -> None:
    sponsor = client.post("/api/v1/sponsors", json=proven(client, provider, household()))
    assert sponsor.status_code == 201
    sponsor_id = sponsor.json()["id"]
    client.post("/api/v1/members", json=worker(sponsor_id=sponsor_id))
    client.post(
        "/api/v1/members",
        json=worker(
            nik=build_nik("327102", dt.date(1985, 3, 1), "M", 7),
            full_name="Asep Suryana",
            birth_date="1985-03-01",
            sex="M",
            occupation="driver",
            declared_income=2_000_000,
            programs=["JKK", "JKM"],
            sponsor_id=sponsor_id,
        ),
    )

    pending = client.get(f"/api/v1/sponsors/{sponsor_id}").json()
    assert [w["consent"] for w in pending["workers"]] == ["pending", "pending"]
    assert pending["monthly_total"] == 0  # nobody is billed before the worker consents
    # Both workers share a phone here. The last code went to Asep (enrolled last); Siti's
    # sponsorship asks for a fresh one (the third code for this phone: still under the limit).
    asep, siti = pending["workers"]
    resend = f"/api/v1/sponsorships/{siti['sponsorship_id']}/consent/resend"
    for worker_line, ask_again in ((asep, False), (siti, True)):
        sponsorship_id = worker_line["sponsorship_id"]
        if ask_again:
            assert client.post(resend).status_code == 202
        confirmed = client.post(
            f"/api/v1/sponsorships/{sponsorship_id}/consent",
            json={"code": last_code(provider, "+6281234567890")},
        )
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["consent"] == "given"

    body = client.get(f"/api/v1/sponsors/{sponsor_id}").json()

    assert [w["full_name"] for w in body["workers"]] == ["Asep Suryana", "Siti Rahmawati"]
    assert [w["monthly"]["total"] for w in body["workers"]] == [13_400, 28_400]
    assert body["monthly_total"] == 41_800
    member = client.get(f"/api/v1/members/{body['workers'][1]['member_id']}").json()
    assert member["sponsor"]["name"] == "Ibu Ratna Kartika"


def test_a_sponsor_registered_twice_answers_409_and_a_bad_nib_422(
    client: TestClient, provider: RecordingProvider
) -> None:
    first = client.post("/api/v1/sponsors", json=proven(client, provider, household()))
    assert first.status_code == 201
    again = client.post("/api/v1/sponsors", json=proven(client, provider, household()))
    assert again.status_code == 409
    response = client.post(
        "/api/v1/sponsors",
        json=household(kind="business", nik=None, nib="12-34", phone_code="000000"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "nib"


def test_members_are_found_by_nik_kpj_or_name_with_the_kpj_masked(client: TestClient) -> None:
    created = client.post("/api/v1/members", json=worker()).json()

    for query in (worker()["nik"], created["kpj"], "rahma"):
        hits = client.post("/api/v1/members/search", json={"q": query}).json()
        assert [hit["id"] for hit in hits] == [created["id"]]
        assert hits[0]["kpj_masked"].endswith(created["kpj"][-4:])


def test_unknown_ids_answer_404_problems(client: TestClient) -> None:
    for path in ("/api/v1/members/nope", "/api/v1/sponsors/nope"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


def test_the_openapi_schema_is_a_valid_openapi_document(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    validate(schema)
    assert "/api/v1/contributions/bpu" in schema["paths"]
    assert "/api/v1/members" in schema["paths"]


def test_a_name_with_markup_is_refused_for_members_and_sponsors_and_nothing_is_kept(
    client: TestClient, provider: RecordingProvider
) -> None:
    markup = "<script>alert('x')</script><b>Nur</b>"

    member = client.post("/api/v1/members", json=worker(full_name=markup))
    sponsor = client.post("/api/v1/sponsors", json=proven(client, provider, household(name=markup)))

    for response, field in ((member, "full_name"), (sponsor, "name")):
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        errors = response.json()["errors"]
        assert [(e["field"], e["rule"]) for e in errors] == [(field, "name.markup")]
        assert errors[0]["message_id"] == "Nama tidak boleh berisi tanda < atau >"
    assert client.post("/api/v1/members/search", json={"q": "Nur"}).json() == []


def test_names_with_titles_apostrophes_and_other_scripts_are_enrolled_as_typed(
    client: TestClient, provider: RecordingProvider
) -> None:
    response = client.post("/api/v1/members", json=worker(full_name="Drs. H. Ma'ruf, S.Pd."))
    named = household(name="Ren\u00e9 \u6797\u7f8e\u7389")
    sponsor = client.post("/api/v1/sponsors", json=proven(client, provider, named))

    assert response.status_code == 201, response.text
    assert response.json()["full_name"] == "Drs. H. Ma'ruf, S.Pd."
    assert sponsor.status_code == 201, sponsor.text
    assert sponsor.json()["name"] == "Ren\u00e9 \u6797\u7f8e\u7389"
