# SPDX-License-Identifier: Apache-2.0
"""The one shape of a feature's service over marked records (docs/dev/architecture.md,
"Feature shape"): what every use case needs besides its own repository."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.registry.service import RegistryService
from liaison.security.marking_store import MarkingStore
from liaison.security.principal import Principal


class MarkedService:
    """The unit of work and who acts in it, the marking store, the registry (names, reach) and
    this reader's view of markings (``security.readers``). A feature's service subclasses it
    and adds its repository::

        class ThingService(MarkedService):
            def __init__(self, session: Session, principal: Principal) -> None:
                super().__init__(session, principal, "a thing")
                self.repo = ThingRepository(session, principal)
    """

    def __init__(self, session: Session, principal: Principal, what: str = "anything") -> None:
        self.session = session
        self.principal = principal
        self.markings = MarkingStore(session)
        self.registry = RegistryService(session, principal)
        self.marks = self.registry.reader_markings(what)
