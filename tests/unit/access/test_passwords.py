"""New staff passwords follow NIST SP 800-63B §5.1.1.2; hashes are argon2id and never raise."""

from __future__ import annotations

import os
import sys
import threading
import unicodedata
from importlib import resources

import argon2
import pytest
from argon2 import extract_parameters
from hypothesis import given, settings
from hypothesis import strategies as st

from sertakan.access.passwords import (
    PasswordHasher,
    PasswordPolicy,
    check_new_password,
    common_passwords,
    is_common,
)


def rules(password: str, username: str = "") -> list[str]:
    return [v.rule for v in check_new_password(password, username=username)]


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher(cheap=True)


# --- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "kopi tubruk di teras",  # lower-case words and spaces: no composition rules
        "ayam-goreng-bu-tini",
        "Ga8#pLm2",  # exactly 8
        "rumah makan padang sederhana 1987",
        "pisang goreng 🍌 hangat",  # emoji are characters like any other
        "Bu Tini memasak rendang",
    ],
)
def test_a_long_enough_uncommon_password_is_accepted_without_composition_rules(
    password: str,
) -> None:
    assert check_new_password(password) == []


def test_seven_characters_are_too_short_and_eight_are_enough() -> None:
    assert rules("Ga8#pLm") == ["password.too_short"]
    assert rules("Ga8#pLmx") == []


def test_length_counts_characters_after_nfkc_not_bytes() -> None:
    # Eight accented letters are 16 UTF-8 bytes but 8 characters.
    assert rules("éèêëéèçà") == []
    # A decomposed "é" (e + combining accent) is one character once normalised.
    decomposed = "kafe" + "\u0301" + "ab1"  # 8 code points typed, 7 after NFKC
    assert len(decomposed) == 8
    assert rules(decomposed) == ["password.too_short"]


def test_a_password_of_128_characters_is_accepted_and_129_are_too_long() -> None:
    body = "jalan-jalan ke kota bogor naik angkot hijau "
    long_enough = (body * 3)[:128]
    assert rules(long_enough) == []
    assert rules(long_enough + "x") == ["password.too_long"]


def test_a_huge_password_is_refused_as_too_long_without_further_checks() -> None:
    assert rules("x" * 1_000_000) == ["password.too_long"]


@pytest.mark.parametrize("password", ["password", "Password", "PASSWORD", "123456789", "qwerty123"])
def test_a_common_password_is_refused_whatever_its_case(password: str) -> None:
    assert "password.breached" in rules(password)


@pytest.mark.parametrize("password", ["sayangku", "bismillah", "indonesia"])
def test_indonesian_favourites_from_the_breached_list_are_refused(password: str) -> None:
    assert "password.breached" in rules(password)


@pytest.mark.parametrize("password", ["Password123!", "!!sayangku2024", "iloveyou 99"])
def test_a_common_password_with_digits_or_symbols_around_it_is_still_refused(
    password: str,
) -> None:
    assert "password.breached" in rules(password)


def test_the_refusal_names_the_field_the_rule_both_languages_and_nist() -> None:
    (violation,) = check_new_password("password")
    assert violation.field == "password"
    assert violation.rule == "password.breached"
    assert violation.message_id == "Kata sandi ini terlalu umum atau pernah bocor; pilih yang lain"
    assert "common" in violation.message
    assert violation.reference == "NIST SP 800-63B §5.1.1.2"


def test_every_message_has_an_indonesian_text_and_the_nist_reference() -> None:
    found = (
        check_new_password("")
        + check_new_password("y" * 200)
        + check_new_password("aaaaaaaaa\n")
        + check_new_password("Sertakan2025!")
    )
    assert {v.rule for v in found} >= {
        "password.too_short",
        "password.too_long",
        "password.unprintable",
        "password.repetitive",
        "password.context",
    }
    for violation in found:
        assert violation.message_id.startswith("Kata sandi")
        assert violation.reference == "NIST SP 800-63B §5.1.1.2"


@pytest.mark.parametrize(
    "password",
    ["sertakan", "Sertakan2025!", "BPJS-Sertakan", "bpjs ketenagakerjaan", "JAMSOSTEK 2024"],
)
def test_a_password_made_of_the_service_name_is_refused(password: str) -> None:
    assert "password.context" in rules(password)


@pytest.mark.parametrize("password", ["siti.rahma", "Siti.Rahma01", "sitirahma!!", "01siti rahma"])
def test_a_password_made_of_the_username_is_refused(password: str) -> None:
    assert "password.context" in rules(password, username="siti.rahma")


def test_a_passphrase_that_merely_mentions_the_service_is_accepted() -> None:
    assert rules("saya daftar bpjs untuk mbak yati") == []
    assert rules("siti.rahma suka kopi tubruk", username="siti.rahma") == []


def test_a_short_username_does_not_eat_letters_out_of_a_passphrase() -> None:
    assert rules("ayam bakar madu", username="a") == []


@pytest.mark.parametrize(
    "password", ["aaaaaaaa", "abababab", "123123123", "12345678", "abcdefgh", "87654321"]
)
def test_repeated_or_sequential_characters_are_refused(password: str) -> None:
    assert "password.repetitive" in rules(password)


@pytest.mark.parametrize("password", ["kata\tsandi123", "kata sandi\x00x", "sandi\nbaru123"])
def test_a_control_character_is_refused(password: str) -> None:
    assert "password.unprintable" in rules(password)


def test_a_lone_surrogate_is_refused_rather_than_crashing_the_hasher() -> None:
    assert "password.unprintable" in rules("kata sandi \ud800 aman")


def test_the_policy_refuses_a_maximum_below_what_nist_requires() -> None:
    with pytest.raises(ValueError, match="64"):
        PasswordPolicy(max_length=32)
    with pytest.raises(ValueError):
        PasswordPolicy(min_length=6)


def test_a_stricter_policy_changes_the_minimum_and_the_message() -> None:
    (violation,) = check_new_password("kopi tubruk", policy=PasswordPolicy(min_length=12))
    assert violation.rule == "password.too_short"
    assert violation.message_id == "Kata sandi minimal 12 karakter"


# --- the bundled list --------------------------------------------------------------------------


def test_the_bundled_list_is_the_django_list_lower_cased() -> None:
    listed = common_passwords()
    assert 19_000 < len(listed) <= 20_000
    assert {"123456", "password", "qwerty"} <= listed
    assert all(word == word.lower() for word in listed)


def test_the_list_is_read_once() -> None:
    assert common_passwords() is common_passwords()


def test_the_list_ships_inside_the_package_next_to_its_licence() -> None:
    folder = resources.files("sertakan.access").joinpath("data")
    assert folder.joinpath("common_passwords.txt.gz").is_file()
    readme = folder.joinpath("README.md").read_text(encoding="utf-8")
    assert "Copyright (c) Django Software Foundation" in readme


def test_is_common_compares_after_nfkc() -> None:
    assert is_common("ｐａｓｓｗｏｒｄ")  # full-width letters are the same password


# --- hashing -----------------------------------------------------------------------------------


def test_a_hash_is_argon2id_and_verifies_its_password_only(hasher: PasswordHasher) -> None:
    digest = hasher.hash("kopi tubruk di teras")
    assert digest.startswith("$argon2id$")
    assert "kopi" not in digest
    assert hasher.verify(digest, "kopi tubruk di teras") is True
    assert hasher.verify(digest, "kopi tubruk di teras ") is False


def test_two_hashes_of_the_same_password_differ_by_their_salt(hasher: PasswordHasher) -> None:
    assert hasher.hash("kopi tubruk di teras") != hasher.hash("kopi tubruk di teras")


def test_a_password_typed_composed_or_decomposed_verifies_the_same(hasher: PasswordHasher) -> None:
    composed = "kafé di pojok jalan"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert hasher.verify(hasher.hash(composed), decomposed)


@pytest.mark.parametrize("stored", ["", "not a hash", "$argon2id$v=19$m=8,t=1,p=1$broken"])
def test_verify_answers_false_for_a_stored_hash_that_is_not_argon2(
    hasher: PasswordHasher, stored: str
) -> None:
    assert hasher.verify(stored, "anything at all") is False


def test_verify_answers_false_for_a_password_that_cannot_be_encoded(
    hasher: PasswordHasher,
) -> None:
    assert hasher.verify(hasher.hash("kopi tubruk di teras"), "kopi \ud800") is False


def test_the_production_hasher_uses_the_library_defaults() -> None:
    digest = PasswordHasher().hash("kopi tubruk di teras")
    defaults = argon2.PasswordHasher()
    parameters = argon2.extract_parameters(digest)
    assert parameters.type is argon2.Type.ID
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        defaults.time_cost,
        defaults.memory_cost,
        defaults.parallelism,
    )


def test_a_cheap_hash_needs_rehashing_under_production_parameters(hasher: PasswordHasher) -> None:
    cheap = hasher.hash("kopi tubruk di teras")
    assert hasher.needs_rehash(cheap) is False
    assert PasswordHasher().needs_rehash(cheap) is True
    assert hasher.needs_rehash("not a hash") is True


def test_no_such_user_runs_a_real_verification_and_answers_false(
    hasher: PasswordHasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_verify = argon2.PasswordHasher.verify

    def spy(self: argon2.PasswordHasher, stored: str | bytes, password: str | bytes) -> bool:
        calls.append(str(stored))
        return real_verify(self, stored, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", spy)
    assert hasher.verify_or_dummy(None, "kopi tubruk di teras") is False
    (dummy,) = calls
    assert dummy.startswith("$argon2id$v=19$m=8,t=1,p=1$")  # same parameters as real hashes


def test_verify_or_dummy_checks_a_real_hash_like_verify(hasher: PasswordHasher) -> None:
    digest = hasher.hash("kopi tubruk di teras")
    assert hasher.verify_or_dummy(digest, "kopi tubruk di teras") is True
    assert hasher.verify_or_dummy(digest, "teh manis") is False


def test_no_such_user_costs_the_same_argon2_work_as_a_wrong_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Timing must not tell which usernames exist. Measured by the work done, not the clock
    (a timed assertion fails on a busy machine): an unknown user is verified against a dummy
    hash made with the very parameters of a real one."""
    hasher = PasswordHasher()
    digest = hasher.hash("kopi tubruk di teras")
    checked: list[str] = []
    verify = hasher.verify
    monkeypatch.setattr(
        hasher, "verify", lambda stored, pw: checked.append(stored) or verify(stored, pw)
    )

    assert hasher.verify_or_dummy(None, "teh manis hangat") is False
    assert hasher.verify_or_dummy(digest, "teh manis hangat") is False

    dummy, real = checked
    assert dummy != real
    assert extract_parameters(dummy) == extract_parameters(real)


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_checking_any_text_never_raises_and_names_only_password_rules(text: str) -> None:
    for violation in check_new_password(text, username="siti"):
        assert violation.field == "password"
        assert violation.rule.startswith("password.")


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_the_length_rules_count_code_points_after_nfkc(text: str) -> None:
    length = len(unicodedata.normalize("NFKC", text))
    found = rules(text)
    assert ("password.too_short" in found) == (length < 8)
    assert ("password.too_long" in found) == (length > 128)


# --- hashing never takes the CPU from the reads (issue 12) -----------------------------------


class _GatedArgon2:
    """Stands in for argon2: each check records its thread's priority and waits at a gate, so
    how many run at once can be counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.niceness: list[int] = []
        self.gate = threading.Event()

    def verify(self, password_hash: str, password: str) -> bool:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        self.gate.wait(timeout=0.2)  # the later checks arrive while the first still runs
        with self.lock:
            self.running -= 1
        return False


def test_password_checks_run_on_a_bounded_pool_at_a_lower_priority() -> None:
    hasher = PasswordHasher(cheap=True, threads=1)
    fake = _GatedArgon2()
    hasher._hasher = fake  # type: ignore[assignment]
    callers = [threading.Thread(target=hasher.verify, args=("h", "tebakan")) for _ in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=10)
    assert len(fake.niceness) == 4
    assert fake.most == 1  # never two argon2 computations at once on a one-thread pool
    if sys.platform == "linux":
        mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert min(fake.niceness) > mine  # the scheduler serves the reads first
