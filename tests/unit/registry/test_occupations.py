from __future__ import annotations

import pytest

from sertakan.kernel.errors import RuleViolation
from sertakan.registry.occupations import all_occupations, occupation
from sertakan.regulation.codes import Sector


def test_the_form_lists_every_occupation_with_other_last() -> None:
    codes = [item.code for item in all_occupations()]

    assert codes == [
        "household_helper",
        "driver",
        "online_driver",
        "courier",
        "street_food_vendor",
        "market_trader",
        "cleaner",
        "construction_labourer",
        "farmer",
        "fisher",
        "micro_business_staff",
        "other",
    ]


def test_drivers_ojol_and_couriers_are_in_the_transport_sector_of_pp_50_2025() -> None:
    transport = {item.code for item in all_occupations() if item.sector == Sector.TRANSPORT}

    assert transport == {"driver", "online_driver", "courier"}


def test_a_household_helper_is_in_the_other_informal_sector() -> None:
    helper = occupation("household_helper")

    assert helper.sector == Sector.OTHER
    assert helper.label_id == "Asisten rumah tangga"


def test_every_occupation_has_an_indonesian_and_an_english_label() -> None:
    assert all(item.label_id and item.label_en for item in all_occupations())
    assert occupation("online_driver").label_id == "Pengemudi ojek online (ojol)"


def test_an_unknown_occupation_is_refused() -> None:
    with pytest.raises(RuleViolation) as error:
        occupation("astronaut")

    (violation,) = error.value.violations
    assert (violation.field, violation.rule) == ("occupation", "occupation.unknown")
