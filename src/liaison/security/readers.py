# SPDX-License-Identifier: Apache-2.0
"""A reader's view of markings: what every feature that shows or takes marked records needs.

``ReaderMarkings`` answers, for one principal, the partner groups of a nation (the policy's
own facts), the name a banner shows for a release code, a marking's banner, the page marking
of what a page shows, and a marking as written *checked* against the reader (nobody marks
anything above what they may read: ``MarkingAboveReader``). It knows no feature: the registry
makes it with its own resolvers (``RegistryService.reader_markings``), and a feature's service
holds one::

    self.marks = self.registry.reader_markings("a document")
    marking = self.marks.checked(data.marking)          # 422 above the reader
    banner = self.marks.banner(marking)                 # "NATO RESTRICTED Releasable to Japan"
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from liaison.errors import InvalidInput
from liaison.security.markings import Marking, banner, page_marking
from liaison.security.policy import can_read
from liaison.security.principal import Principal


class MarkingAboveReader(InvalidInput):
    """A marking the writer could not read itself (given, or what the record was re-read as)."""

    def __init__(self, what: str = "anything") -> None:
        super().__init__(
            f"you cannot mark {what} above what you may read yourself", field="marking"
        )


class ReaderMarkings:
    """Markings as one principal reads and writes them; names and groups cached per instance
    (one unit of work)."""

    def __init__(
        self,
        principal: Principal,
        *,
        parse: Callable[[str], Marking],
        release_name: Callable[[str], str],
        groups: Callable[[str], frozenset[str]],
        what: str = "anything",
    ) -> None:
        self.principal = principal
        self._parse = parse
        self._release_name = release_name
        self._group_facts = groups
        self._what = what
        self._groups: dict[str, frozenset[str]] = {}
        self._names: dict[str, str] = {}

    def groups_of(self, code: str) -> frozenset[str]:
        """The partner groups of a nation (the policy's own facts; empty for a group code)."""
        if code not in self._groups:
            self._groups[code] = self._group_facts(code)
        return self._groups[code]

    def name_of(self, code: str) -> str:
        """A release code as a banner shows it: "Japan" for JPN, a group's code as is."""
        if code not in self._names:
            self._names[code] = self._release_name(code)
        return self._names[code]

    def banner(self, marking: Marking) -> str:
        return banner(marking, self.name_of)

    def page_marking(self, markings: Iterable[Marking]) -> Marking:
        """The one marking of a page showing ``markings`` (``markings.page_marking``)."""
        return page_marking(markings, self.groups_of)

    def page_banner(self, markings: Iterable[Marking]) -> str:
        return self.banner(self.page_marking(markings))

    def checked(self, text: str) -> Marking:
        """Parse a marking as written; refuse one the principal could not read itself."""
        marking = self._parse(text)
        self.refuse_above_reader(marking)
        return marking

    def refuse_above_reader(self, marking: Marking) -> None:
        """``MarkingAboveReader`` unless the principal may read ``marking``."""
        if not can_read(self.principal, marking):
            raise MarkingAboveReader(self._what)
