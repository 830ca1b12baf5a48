"""Words for seeded rows: names, task titles and descriptions that read like real ones."""

from __future__ import annotations

import random
from collections.abc import Callable

FIRST_NAMES = (
    "Ada", "Alan", "Amara", "Anna", "Ben", "Carla", "Chen", "Dana", "David", "Elena", "Emil",
    "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jonas", "Julia", "Kai", "Karim",
    "Lena", "Leo", "Lucia", "Maya", "Marco", "Mei", "Nadia", "Noah", "Olga", "Omar", "Paula",
    "Pedro", "Priya", "Rafael", "Rosa", "Sam", "Sara", "Tariq", "Tess", "Tom", "Uma", "Victor",
    "Wei", "Yara", "Yusuf", "Zoe",
)  # fmt: skip

LAST_NAMES = (
    "Adams", "Ahmed", "Berg", "Brown", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen",
    "Ito", "Jensen", "Kim", "Kowalski", "Larsen", "Lopez", "Martin", "Meyer", "Moreau", "Nguyen",
    "Novak", "Okafor", "Patel", "Petrov", "Rossi", "Santos", "Schmidt", "Silva", "Singh",
    "Smith", "Tanaka", "Weber", "Wong", "Yilmaz", "Zhang",
)  # fmt: skip

VERBS = (
    "Review", "Update", "Prepare", "Send", "Draft", "Fix", "Schedule", "Finish", "Check",
    "Submit", "Follow up on", "Research", "Plan", "Book", "Renew", "Pay", "Organize",
    "Clean up", "Write", "Test", "Discuss", "Archive", "Sign", "Print", "Order", "Cancel",
    "Share", "Approve", "Translate", "Proofread",
)  # fmt: skip

# Each word a search might look for ("report", "invoice", "meeting") sits in a few of these,
# so a substring search matches a few percent of the tasks, as on a real account.
OBJECTS = (
    "quarterly report", "expense report", "bug report", "invoice", "overdue invoice",
    "budget spreadsheet", "garage door", "bike repair", "wedding speech", "recycling bins",
    "client proposal", "meeting notes", "meeting agenda", "project roadmap",
    "onboarding checklist", "dentist appointment", "car insurance", "gym membership",
    "grocery list", "birthday gift", "flight tickets", "hotel booking", "tax return",
    "rent payment", "electricity bill", "team retrospective", "sprint backlog", "release notes",
    "login page", "database backup", "API documentation", "unit tests", "code review",
    "performance review", "job application", "newsletter", "blog post", "marketing plan",
    "sales forecast", "vendor contract", "purchase order", "support ticket",
    "customer survey", "website redesign", "server logs", "security audit", "photo album",
    "kitchen shelves", "library books", "passport", "doctor visit", "conference talk",
    "training plan", "holiday schedule", "insurance claim", "hiring plan", "press release",
    "slide deck", "product demo", "travel itinerary", "moving boxes",
)  # fmt: skip

CLIENTS = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark Industries", "Wayne Enterprises", "Hooli",
    "Vandelay", "Northwind", "Contoso", "the board", "the design team", "marketing", "finance",
    "the landlord", "Mum", "the accountant", "legal",
)  # fmt: skip

WHEN = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend", "end of month",
    "the next sprint", "the holidays", "the deadline", "lunch", "the release",
)  # fmt: skip

SENTENCES = (
    "Make sure the {object} is ready before {when}.",
    "Ask {client} about the {object}.",
    "Needs sign-off from {client}.",
    "Follow up with {client} if there is no answer by {when}.",
    "Blocked until the {object} is done.",
    "Should cost around {amount} dollars.",
    "Use last year's {object} as a starting point.",
    "Keep it short: one page at most.",
    "Copy {client} on the email.",
    "Double-check the numbers in the {object}.",
    "Book a room for {when}.",
    "Attach the {object} to the email.",
    "Remember to update the shared calendar.",
    "Waiting on feedback from {client}.",
    "Low effort, but it keeps slipping.",
)  # fmt: skip

SENTENCE_POOL = 3000  # distinct sentences a run draws its descriptions from
# Title shapes: "Send invoice", "Send invoice for Acme", "Send invoice by Friday".
PLAIN, FOR_CLIENT, BY_WHEN = 0, 1, 2
TITLE_WEIGHTS = (6, 3, 1)
# Sentences per description: a quarter of tasks have a title only.
DESCRIPTION_WEIGHTS = (0.25, 0.35, 0.25, 0.15)


def full_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        verb=rng.choice(VERBS),
        object=rng.choice(OBJECTS),
        client=rng.choice(CLIENTS),
        when=rng.choice(WHEN),
        amount=rng.randrange(50, 5000, 50),
    )


class Writer:
    """Makes titles and descriptions a column at a time (per-row calls into the random
    generator are where a million rows spend their time). Each column draws from a stream
    of its own, one value per row, so the text does not depend on how rows are batched."""

    def __init__(self, stream: Callable[[str], random.Random]) -> None:
        pool = stream("sentences")
        self._sentences = [_fill(pool.choice(SENTENCES), pool) for _ in range(SENTENCE_POOL)]
        self._shapes, self._verbs, self._objects = stream("shape"), stream("verb"), stream("object")
        self._clients, self._whens = stream("client"), stream("when")
        self._lengths, self._picks = stream("length"), stream("pick")

    def titles(self, count: int) -> list[str]:
        shapes = self._shapes.choices((PLAIN, FOR_CLIENT, BY_WHEN), TITLE_WEIGHTS, k=count)
        verbs = self._verbs.choices(VERBS, k=count)
        objects = self._objects.choices(OBJECTS, k=count)
        clients = self._clients.choices(CLIENTS, k=count)
        whens = self._whens.choices(WHEN, k=count)
        return [
            f"{verb} {thing}"
            if shape == PLAIN
            else f"{verb} {thing} for {client}"
            if shape == FOR_CLIENT
            else f"{verb} {thing} by {when}"
            for shape, verb, thing, client, when in zip(
                shapes, verbs, objects, clients, whens, strict=True
            )
        ]

    def descriptions(self, count: int) -> list[str]:
        lengths = self._lengths.choices(
            range(len(DESCRIPTION_WEIGHTS)), DESCRIPTION_WEIGHTS, k=count
        )
        picks, sentences = self._picks, self._sentences
        return [" ".join(picks.choices(sentences, k=length)) for length in lengths]
