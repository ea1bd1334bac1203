"""Staff passwords: the rules a new password must meet, and argon2id hashing.

The rules follow NIST SP 800-63B rev. 3 §5.1.1.2 ("Memorized Secret Verifiers"): at least 8
characters, at least 64 allowed (we allow 128), every printing character and Unicode accepted
(spaces too), Unicode normalised with NFKC, no composition rules ("one digit, one capital"),
no hints, and a refusal of passwords that are common, breached, repetitive or sequential, or
made of context words (the service's name, the username). The breached list is bundled
(`data/common_passwords.txt.gz`, see `data/README.md`).

Hashes are argon2id through argon2-cffi with the library's defaults (the RFC 9106 "low
memory" profile), as the OWASP Password Storage Cheat Sheet recommends.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import logging
import os
import secrets
import string
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from typing import TypeVar

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from sertakan.kernel.errors import Violation

REFERENCE = "NIST SP 800-63B §5.1.1.2"
FIELD = "password"

log = logging.getLogger(__name__)

T = TypeVar("T")

# argon2 runs on a pool of its own, this many threads per process, at a lower CPU priority
# (nice +HASHING_NICE). One check costs ~0.2 s of a core (t=3, m=64 MiB; argon2-cffi computes
# the lanes on one thread), and 20 wrong-password loops kept every core hashing while an
# officer's reads waited (issue 12). Now a sign-in waits for a hashing slot, not the reads for
# a core: the scheduler gives the reads the CPU first and the hashing what is left. The brake
# per address (429) still answers before any hashing. Per-thread niceness is Linux's; elsewhere
# the threads keep the process's priority and only their number is bounded.
HASHING_THREADS = max(1, (os.cpu_count() or 1) // 2)
HASHING_NICE = 10

# Digits, punctuation and spaces people put before or after a weak word ("Password123!").
_EDGES = string.digits + string.punctuation + string.whitespace


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """What a new password must meet (NIST SP 800-63B §5.1.1.2).

    `min_length`: 8 for a password the user chooses. `max_length`: NIST asks to allow at least
    64; we allow 128, and refuse longer ones so that a megabyte "password" is not hashed.
    `context_words`: "context-specific words, such as the name of the service" that a
    password may not be made of (the username is added by `check_new_password`).
    """

    min_length: int = 8
    max_length: int = 128
    context_words: tuple[str, ...] = (
        "sertakan",
        "bpjs",
        "bpjamsostek",
        "jamsostek",
        "ketenagakerjaan",
    )

    def __post_init__(self) -> None:
        if not 8 <= self.min_length <= self.max_length:
            raise ValueError("a password policy needs 8 <= min_length <= max_length")
        if self.max_length < 64:  # §5.1.1.2: "at least 64 characters in length"
            raise ValueError("NIST SP 800-63B §5.1.1.2 asks to allow at least 64 characters")


DEFAULT_POLICY = PasswordPolicy()


def normalize_password(password: str) -> str:
    """The password as it is checked and hashed: Unicode NFKC.

    §5.1.1.2: "the verifier SHOULD apply the Normalization Process for Stabilized Strings using
    either the NFKC or NFKD normalization", so a password typed on another keyboard (a
    composed or decomposed "é", a full-width digit) still matches.
    """
    return unicodedata.normalize("NFKC", password)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common and breached passwords, lower-cased; read once, on first use."""
    data = resources.files("sertakan.access").joinpath("data", "common_passwords.txt.gz")
    text = gzip.decompress(data.read_bytes()).decode("utf-8")
    return frozenset(
        normalize_password(line.strip()).lower() for line in text.splitlines() if line.strip()
    )


def is_common(password: str) -> bool:
    """Whether the password, or the password stripped of digits and symbols around it, is on
    the bundled list ("Password123!" is as weak as "password")."""
    lowered = normalize_password(password).lower()
    listed = common_passwords()
    stripped = lowered.strip(_EDGES)
    return lowered in listed or (stripped != "" and stripped in listed)


def check_new_password(
    password: str, *, username: str = "", policy: PasswordPolicy = DEFAULT_POLICY
) -> list[Violation]:
    """Every rule a new password breaks, as violations on field "password" (empty: it is fine).

    No composition rules and no hints (§5.1.1.2: "SHOULD NOT impose other composition rules",
    "SHALL NOT permit the subscriber to store a hint"). Length counts Unicode code points
    after NFKC ("each Unicode code point SHALL be counted as a single character").
    """
    if len(password) > 4 * policy.max_length:  # not worth normalising: clearly too long
        return [_too_long(policy)]
    normalized = normalize_password(password)
    violations: list[Violation] = []
    if len(normalized) < policy.min_length:
        violations.append(
            _violation(
                "password.too_short",
                f"the password must have at least {policy.min_length} characters",
                f"Kata sandi minimal {policy.min_length} karakter",
            )
        )
    if len(normalized) > policy.max_length:
        violations.append(_too_long(policy))
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in normalized):
        # Control characters (tab, newline, NUL) cannot be typed into a password field, and a
        # lone surrogate cannot be encoded for hashing: such input is a mistake or an attack.
        violations.append(
            _violation(
                "password.unprintable",
                "the password contains a control character",
                "Kata sandi berisi karakter kontrol yang tidak bisa diketik",
            )
        )
    if _is_made_of_context(normalized, username, policy.context_words):
        violations.append(
            _violation(
                "password.context",
                "the password must not be your username or the name of this service",
                "Kata sandi tidak boleh berupa nama pengguna atau nama layanan ini",
            )
        )
    if _is_repetitive_or_sequential(normalized):
        violations.append(
            _violation(
                "password.repetitive",
                "the password must not be one character repeated or a plain sequence "
                "(aaaaaaaa, 12345678)",
                "Kata sandi tidak boleh berupa karakter berulang atau urutan (aaaaaaaa, 12345678)",
            )
        )
    if is_common(normalized):
        violations.append(
            _violation(
                "password.breached",
                "this password is too common or has appeared in a data breach; choose another",
                "Kata sandi ini terlalu umum atau pernah bocor; pilih yang lain",
            )
        )
    return violations


def _violation(rule: str, message: str, message_id: str) -> Violation:
    return Violation(FIELD, rule, message, message_id, REFERENCE)


def _too_long(policy: PasswordPolicy) -> Violation:
    return _violation(
        "password.too_long",
        f"the password must have at most {policy.max_length} characters",
        f"Kata sandi maksimal {policy.max_length} karakter",
    )


def _core(text: str) -> str:
    """Letters and digits only, lower-cased, without the digits around them."""
    kept = "".join(char for char in text.lower() if char.isalnum())
    return kept.strip(string.digits)


def _is_made_of_context(password: str, username: str, words: tuple[str, ...]) -> bool:
    """§5.1.1.2 lists "context-specific words, such as the name of the service, the username,
    and derivatives thereof": refused when nothing but digits is left once they are removed
    ("Sertakan2025!", "bpjs-sertakan", "siti.rahma01" for user siti.rahma)."""
    core = _core(password)
    if not core:
        return False
    user = _core(username)
    if user and core == user:
        return True
    # Removing a one- or two-letter username would eat ordinary letters out of a passphrase.
    removable = [_core(word) for word in words] + ([user] if len(user) >= 3 else [])
    for word in sorted(filter(None, removable), key=len, reverse=True):
        core = core.replace(word, "")
    return core.strip(string.digits) == ""


def _is_repetitive_or_sequential(password: str) -> bool:
    """§5.1.1.2: "Repetitive or sequential characters (e.g. 'aaaaaa', '1234abcd')".

    Repetitive: the password repeats a unit of 1 to 3 characters ("aaaaaaaa", "abababab",
    "123123123"). Sequential: each character is the next or the previous one ("12345678",
    "abcdefgh", "87654321").
    """
    text = password.lower()
    if len(text) < 3:  # too short to be a pattern; the length rule speaks for it
        return False
    for period in (1, 2, 3):
        if len(text) >= 2 * period and all(
            text[i] == text[i - period] for i in range(period, len(text))
        ):
            return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps in ({1}, {-1})


class PasswordHasher:
    """argon2id hashing (OWASP Password Storage Cheat Sheet; RFC 9106).

    The production default is argon2-cffi's default profile (RFC 9106 "low memory": t=3,
    m=64 MiB, p=4). `cheap=True` (t=1, m=8 KiB, p=1) is for tests only: hashes made with it
    are as easy to crack as they are to make.
    """

    def __init__(self, *, cheap: bool = False, threads: int = HASHING_THREADS) -> None:
        self._hasher = (
            argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
            if cheap
            else argon2.PasswordHasher()
        )
        self._pool = _hashing_pool(threads)

    def _run(self, work: Callable[..., T], *args: object) -> T:
        """`work(*args)` on the hashing pool; this thread waits without using the CPU."""
        return self._pool.submit(work, *args).result()

    def hash(self, password: str) -> str:
        """The argon2id hash (PHC string, with its own random salt) of the NFKC password."""
        return self._run(self._hasher.hash, normalize_password(password))

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether `password` matches `password_hash`. False, never an exception, for a wrong
        password, a password that cannot be encoded, or a stored hash that is not argon2."""
        try:
            return self._run(self._hasher.verify, password_hash, normalize_password(password))
        except VerificationError:
            return False
        except InvalidHashError:
            # A corrupted or foreign hash in the store: refuse the sign-in and say so in the
            # log (without the hash) so that an operator can reset the account.
            log.warning("a stored password hash is not a valid argon2 hash")
            return False
        except UnicodeEncodeError:  # a lone surrogate from a broken client
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than today's (rehash at sign-in)."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def verify_or_dummy(self, password_hash: str | None, password: str) -> bool:
        """`verify`, or for an account that does not exist (None) a verify against a dummy
        hash with the same parameters that always answers False.

        "No such user" and "wrong password" then cost the same argon2 work, so the answer's
        timing does not tell an attacker which usernames exist (OWASP Authentication Cheat
        Sheet, "Authentication Responses").
        """
        if password_hash is None:
            self.verify(self._dummy_hash, password)
            return False
        return self.verify(password_hash, password)

    @functools.cached_property
    def _dummy_hash(self) -> str:
        # The hash of a random secret nobody knows, made once with this hasher's parameters.
        return self._run(self._hasher.hash, secrets.token_urlsafe(32))


_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _hashing_pool(threads: int) -> ThreadPoolExecutor:
    """The process's hashing pool of `threads` threads: one per process, however many hashers
    the process makes (the bound is the process's), started when first used."""
    with _POOLS_LOCK:
        if threads not in _POOLS:
            _POOLS[threads] = ThreadPoolExecutor(
                max_workers=threads, thread_name_prefix="argon2", initializer=_lower_priority
            )
        return _POOLS[threads]


def _lower_priority() -> None:
    """Lower the calling thread's CPU priority by HASHING_NICE (Linux: a thread id is a
    process id for setpriority). Where that is not possible, keep the priority."""
    try:
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, os.getpriority(os.PRIO_PROCESS, me) + HASHING_NICE)
    except (AttributeError, OSError):  # no per-thread priority on this system
        log.debug("password hashing keeps the process's priority")
