"""The kinds of background job, each registered by the app that owns its work.

The ground floor knows no app above it: payments and projects register their
kinds from their ``AppConfig.ready``, naming the function that does the work
and the permission that lets staff see those jobs and fetch their files (the starter
sees their own job's page without it, but needs it for the file).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.functional import Promise

if TYPE_CHECKING:
    from portal.jobs.models import Job


class Progress(Protocol):
    def __call__(self, done: int, total: int | None = None) -> None: ...


@dataclass(frozen=True)
class FileOutput:
    """A file a job writes, streamed from ``chunks`` into private storage."""

    name: str
    chunks: Iterable[bytes]
    content_type: str = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Outcome:
    """How a job ended: a sentence for its page, details (one line each), data, a file."""

    summary: str
    details: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    file: FileOutput | None = None


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    # Staff with this permission see every job of the kind and fetch its file.
    permission: str
    # run(job=..., progress=...) -> Outcome; a ValidationError is a refusal, shown as written.
    run: Callable[..., Outcome]


_KINDS: dict[str, JobKind] = {}


def register(
    name: str, *, label: str | Promise, permission: str, run: Callable[..., Outcome]
) -> JobKind:
    """Register a kind of job; registering the same name again replaces it (reloads, tests)."""
    kind = JobKind(name=name, label=label, permission=permission, run=run)
    _KINDS[name] = kind
    return kind


def get(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No job kind {name!r} is registered.") from None


def label(name: str) -> str | Promise:
    kind = _KINDS.get(name)
    return kind.label if kind else name


def kinds() -> list[JobKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.name)


def permitted_kinds(user: Any) -> list[str]:
    """The kinds whose jobs ``user`` may see, whoever started them."""
    if not (user.is_active and user.is_staff):
        return []
    return [kind.name for kind in kinds() if user.has_perm(kind.permission)]


def may_see(user: Any, job: "Job") -> bool:
    """The starter, and staff with the kind's permission; nobody else."""
    if not (user.is_active and user.is_staff):
        return False
    return job.started_by_id == user.pk or job.kind in permitted_kinds(user)


def may_fetch_file(user: Any, job: "Job") -> bool:
    """Staff holding the kind's permission today, the starter included: a file holds what
    the permission guards, and whoever lost it keeps the job's page but not its file."""
    if not (user.is_active and user.is_staff):
        return False
    return job.kind in permitted_kinds(user)
