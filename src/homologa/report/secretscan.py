"""Last line of defence: look for known secret values in files about to be handed over (and inside the report's
embedded base64 data), so a leak upstream stops the sign-off instead of shipping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from homologa.profile import Profile
from homologa.secrets import url_secrets

MIN_SECRET_LENGTH = 4


def usable(secrets: Iterable[str]) -> list[str]:
    return sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)


def files_with_secrets(files: Mapping[str, bytes], secrets: Iterable[str]) -> list[str]:
    """Names of the files that contain any of ``secrets`` (as UTF-8 bytes)."""
    needles = [s.encode("utf-8") for s in usable(secrets)]
    if not needles:
        return []
    return sorted(name for name, data in files.items() if any(n in data for n in needles))


def profile_secrets(profile: Profile | None) -> list[str]:
    """Every secret a profile holds: auth values, the client-key path, and those inside the target URL."""
    if profile is None:
        return []
    return usable([*profile.auth.secrets(), *url_secrets(profile.target)])
