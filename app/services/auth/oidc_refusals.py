"""Why a single sign-on was refused, what the person is told, and the answer's status."""

from enum import StrEnum

from app.models import Person


class Refusal(StrEnum):
    """Why a single sign-on was refused; recorded as the audit event's reason."""

    NOT_STARTED = "no sign-in in progress"
    WRONG_STATE = "wrong state"
    NOT_COMPLETED = "provider did not sign in"
    UNREACHABLE = "provider unreachable"
    BAD_SIGNATURE = "bad signature"
    WRONG_ISSUER = "wrong issuer"
    WRONG_AUDIENCE = "wrong audience"
    EXPIRED_TOKEN = "expired token"
    WRONG_NONCE = "wrong nonce"
    MALFORMED_TOKEN = "malformed token"
    EMAIL_NOT_VERIFIED = "e-mail not verified"
    UNKNOWN_PERSON = "unknown account"
    NOT_STAFF = "not staff"
    DEACTIVATED = "deactivated"
    LINKED_ELSEWHERE = "linked to another account"


class Problem(StrEnum):
    """What the refusal page tells the person: a few kinds they can act on, no technical detail."""

    TIMED_OUT = "timed_out"
    NOT_CHECKED = "not_checked"
    NOT_COMPLETED = "not_completed"
    UNREACHABLE = "unreachable"
    NO_ACCOUNT = "no_account"
    EMAIL_NOT_CONFIRMED = "email_not_confirmed"
    ACCOUNT_CLOSED = "account_closed"
    STAFF_ONLY = "staff_only"
    LINKED_ELSEWHERE = "linked_elsewhere"


PROBLEMS: dict[Refusal, Problem] = {
    Refusal.NOT_STARTED: Problem.TIMED_OUT,
    Refusal.WRONG_STATE: Problem.NOT_CHECKED,
    Refusal.NOT_COMPLETED: Problem.NOT_COMPLETED,
    Refusal.UNREACHABLE: Problem.UNREACHABLE,
    Refusal.BAD_SIGNATURE: Problem.NOT_CHECKED,
    Refusal.WRONG_ISSUER: Problem.NOT_CHECKED,
    Refusal.WRONG_AUDIENCE: Problem.NOT_CHECKED,
    Refusal.EXPIRED_TOKEN: Problem.NOT_CHECKED,
    Refusal.WRONG_NONCE: Problem.NOT_CHECKED,
    Refusal.MALFORMED_TOKEN: Problem.NOT_CHECKED,
    Refusal.EMAIL_NOT_VERIFIED: Problem.EMAIL_NOT_CONFIRMED,
    Refusal.UNKNOWN_PERSON: Problem.NO_ACCOUNT,
    Refusal.NOT_STAFF: Problem.STAFF_ONLY,
    Refusal.DEACTIVATED: Problem.ACCOUNT_CLOSED,
    Refusal.LINKED_ELSEWHERE: Problem.LINKED_ELSEWHERE,
}


_ACCOUNT_REFUSALS = frozenset(
    {
        Refusal.EMAIL_NOT_VERIFIED,
        Refusal.UNKNOWN_PERSON,
        Refusal.NOT_STAFF,
        Refusal.DEACTIVATED,
        Refusal.LINKED_ELSEWHERE,
    }
)


class SingleSignOnRefused(Exception):
    """A refusal, already recorded in the audit trail; the page says what to do next."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal

    @property
    def problem(self) -> Problem:
        return PROBLEMS[self.refusal]

    @property
    def status_code(self) -> int:
        if self.refusal is Refusal.UNREACHABLE:
            return 502
        return 403 if self.refusal in _ACCOUNT_REFUSALS else 400


class Invalid(Exception):
    """A check failed; `oidc.finish_sign_in` records it once and raises SingleSignOnRefused."""

    def __init__(
        self, refusal: Refusal, subject: Person | None = None, details: dict[str, str] | None = None
    ) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.subject = subject
        self.details = details or {}
