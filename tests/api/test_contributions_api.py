"""`/api/v1/contributions`: what cover costs, part by part, with the law behind each part."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_bpu_quote_gives_each_part_the_total_and_the_regulation_behind_them(
    client: TestClient,
) -> None:
    response = client.get(
        "/api/v1/contributions/bpu",
        params={"declared_income": 2_500_000, "on": "2025-06-01", "programs": "JKK,JKM,JHT"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["declared_income"] == 2_500_000
    assert body["on"] == "2025-06-01"
    assert body["parts"] == {"JKK": 25_000, "JKM": 6_800, "JHT": 50_000}
    assert body["total"] == 81_800
    assert body["discounts"] == []
    topics = {reference["topic"] for reference in body["references"]}
    assert {"JKK", "JKM", "JHT"} <= topics
    assert any("PP 44/2015" in reference["regulation"] for reference in body["references"])


def test_every_reference_resolves_its_source_keys_to_a_title_and_an_address(
    client: TestClient,
) -> None:
    body = client.get(
        "/api/v1/contributions/bpu",
        params={"declared_income": 2_500_000, "on": "2025-06-01", "programs": "JKK,JKM,JHT"},
    ).json()

    for reference in body["references"]:
        keys = [s["key"] for s in reference["sources"]]
        assert reference["source"] == ", ".join(f"[{key}]" for key in keys)
        assert all(s["title"] and (s["url"] or s["kind"] == "code") for s in reference["sources"])
    jkk = next(r for r in body["references"] if r["topic"] == "JKK")
    assert any(s["url"].startswith("https://") for s in jkk["sources"])


def test_todays_quote_shows_the_pp_50_2025_discount(client: TestClient) -> None:
    body = client.get(
        "/api/v1/contributions/bpu", params={"declared_income": 1_000_000, "programs": "JKK,JKM"}
    ).json()

    assert body["on"] == "2026-11-25"
    assert body["parts"] == {"JKK": 5_000, "JKM": 3_400}
    assert body["total"] == 8_400
    assert body["parts_before_discount"] == {"JKK": 10_000, "JKM": 6_800}
    assert body["discounts"][0]["amount_off"] == 8_400
    assert "PP 50/2025" in body["discounts"][0]["reference"]


def test_publicly_funded_members_pay_the_full_amount_in_the_discount_window(
    client: TestClient,
) -> None:
    body = client.get(
        "/api/v1/contributions/bpu",
        params={"declared_income": 1_000_000, "publicly_funded": "true"},
    ).json()

    assert body["total"] == 16_800
    assert body["discounts"] == []


def test_an_income_off_the_allowed_levels_is_a_problem_naming_the_field_and_rule(
    client: TestClient,
) -> None:
    for income, rule in [
        (999_999, "bpu.declared_income.minimum"),
        (20_800_000, "bpu.declared_income.maximum"),
        (1_050_000, "bpu.declared_income.level"),
    ]:
        response = client.get("/api/v1/contributions/bpu", params={"declared_income": income})

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        errors = response.json()["errors"]
        assert [(e["field"], e["rule"]) for e in errors] == [("declared_income", rule)]
        assert errors[0]["message_id"]


def test_a_programme_set_the_law_does_not_allow_is_refused(client: TestClient) -> None:
    response = client.get(
        "/api/v1/contributions/bpu", params={"declared_income": 1_000_000, "programs": "JHT"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "programs"


def test_a_date_before_the_rules_exist_is_refused_as_not_in_the_parameters(
    client: TestClient,
) -> None:
    response = client.get(
        "/api/v1/contributions/bpu", params={"declared_income": 1_000_000, "on": "2010-01-01"}
    )

    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "on"
    assert "not in the parameters yet" in problem["detail"]


def test_a_non_numeric_income_is_a_problem_not_a_crash(client: TestClient) -> None:
    response = client.get("/api/v1/contributions/bpu", params={"declared_income": "banyak"})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "declared_income"


def test_the_pu_quote_splits_employer_and_worker_shares(client: TestClient) -> None:
    body = client.get(
        "/api/v1/contributions/pu",
        params={"wage": 10_000_000, "risk_class": "medium", "on": "2024-06-01"},
    ).json()

    assert body["parts"]["JHT"]["employer"] == 370_000
    assert body["parts"]["JHT"]["worker"] == 200_000
    assert body["parts"]["JKK"]["employer"] == 89_000
    assert body["parts"]["JKM"]["employer"] == 30_000
    assert body["parts"]["JP"] == {
        "recomposed": {},
        "employer": 200_000,
        "worker": 100_000,
        "government": 0,
        "total": 300_000,
    }
    assert body["employer_total"] == 689_000
    assert body["worker_total"] == 300_000


def test_an_unknown_risk_class_is_refused(client: TestClient) -> None:
    response = client.get(
        "/api/v1/contributions/pu", params={"wage": 5_000_000, "risk_class": "extreme"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "risk_class"


def test_a_pu_member_in_jkp_shows_how_jkp_is_funded(client: TestClient) -> None:
    # R4 (docs/rules.md): PP 49/2023 art. 16A and PP 6/2025 art. 11.
    body = client.get(
        "/api/v1/contributions/pu",
        params={"wage": 5_000_000, "risk_class": "very_low", "on": "2025-03-01", "in_jkp": True},
    ).json()

    assert body["parts"]["JKK"]["employer"] == 5_000
    jkp = body["parts"]["JKP"]
    assert (jkp["employer"], jkp["worker"], jkp["government"]) == (0, 0, 11_000)
    assert jkp["recomposed"] == {"JKK": 7_000}
    assert jkp["total"] == 18_000


def test_a_date_past_the_prepayment_horizon_is_refused_naming_the_field_and_the_rule(
    client: TestClient,
) -> None:
    """Today is 2026-11-25 and bpu/prepayment.yaml allows 12 months ahead: the last day a
    quote can be for is the end of November 2027."""
    last = client.get(
        "/api/v1/contributions/bpu", params={"declared_income": 1_000_000, "on": "2027-11-30"}
    )
    assert last.status_code == 200

    for day in ("2027-12-01", "9999-12-31"):
        response = client.get(
            "/api/v1/contributions/bpu", params={"declared_income": 1_000_000, "on": day}
        )
        assert response.status_code == 422, day
        assert response.headers["content-type"] == "application/problem+json"
        (error,) = response.json()["errors"]
        assert (error["field"], error["rule"]) == ("on", "bpu.prepayment.max_months_ahead")
        assert "2027-11-30" in error["message"]
        assert "12 bulan" in error["message_id"]
