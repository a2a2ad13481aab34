"""What the document tests and the migration tests share: the tally (migration 0012) must
count exactly the documents."""

from sqlalchemy import func, select

from liaison.documents.models import Document, DocumentTally


def tally_matches_the_documents(session):
    tally = {
        (m, str(k)): n
        for m, k, n in session.execute(
            select(DocumentTally.marking_id, DocumentTally.kind, DocumentTally.n)
        )
        if n
    }
    counted = {
        (m, str(k)): n
        for m, k, n in session.execute(
            select(Document.marking_id, Document.kind, func.count()).group_by(
                Document.marking_id, Document.kind
            )
        )
    }
    assert tally == counted
    assert all(n >= 0 for (n,) in session.execute(select(DocumentTally.n)))
