"""Who is acting, and through which door: what every service needs to check permission and audit."""

from dataclasses import dataclass

from app.models import Channel, Person


@dataclass(frozen=True)
class Actor:
    """The acting person (None before sign-in) with the where of the audit trail."""

    person: Person | None
    channel: Channel
    client_address: str | None = None
    request_id: str | None = None

    @classmethod
    def command(cls, person: Person | None = None) -> "Actor":
        return cls(person=person, channel=Channel.COMMAND)

    def signed_in(self) -> Person:
        if self.person is None:
            raise LookupError("this action needs a signed-in person")
        return self.person
