"""What the notifications domain refuses."""

from __future__ import annotations

from sertakan.kernel.errors import SertakanError


class MessageRefused(SertakanError, ValueError):
    """A message the outbox will not hold: an unknown channel, a recipient that is not an E.164
    phone, an empty template or body, a naive time, or a body carrying a NIK (no NIK leaves the
    platform in a message, docs/security.md). A ValueError too: it is bad input to a value."""
