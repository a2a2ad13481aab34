# SPDX-License-Identifier: Apache-2.0
"""One vocabulary of permissions, ``feature:resource:action``, alphabetised, and the roles that
grant them. Routes declare the permission they need; nobody checks a role by name."""

from __future__ import annotations

import enum


class Permission(enum.StrEnum):
    AUDIT_EVENT_READ = "audit:event:read"
    CATALOGUE_ITEM_WRITE = "catalogue:item:write"
    CATALOGUE_NOMINATION_DECIDE = "catalogue:nomination:decide"
    CATALOGUE_NOMINATION_WRITE = "catalogue:nomination:write"
    CATALOGUE_PROFILE_WRITE = "catalogue:profile:write"
    DECISIONS_POSITION_RECORD = "decisions:position:record"
    DECISIONS_PROPOSAL_BACKDATE = "decisions:proposal:backdate"  # admin: record a past decision
    DECISIONS_PROPOSAL_MANAGE = "decisions:proposal:manage"
    DOCUMENTS_DOCUMENT_DOWNGRADE = "documents:document:downgrade"
    DOCUMENTS_DOCUMENT_WRITE = "documents:document:write"
    IDENTITY_USER_MANAGE = "identity:user:manage"
    JOBS_JOB_MANAGE = "jobs:job:manage"  # see every job (only its creator sees it otherwise)
    PLANNING_PLAN_APPROVE = "planning:plan:approve"
    PLANNING_PLAN_RUN = "planning:plan:run"
    OSINT_ASSESSMENT_WRITE = "osint:assessment:write"
    OSINT_SOURCE_MANAGE = "osint:source:manage"
    PROGRAMMES_COMMENT_WRITE = "programmes:comment:write"
    PROGRAMMES_PROGRAMME_APPROVE = "programmes:programme:approve"
    PROGRAMMES_PROGRAMME_WRITE = "programmes:programme:write"
    REGISTRY_ENTRY_WRITE = "registry:entry:write"
    SECURITY_RECORD_ADMINISTER = "security:record:administer"
    SHARING_COLLECTION_MANAGE = "sharing:collection:manage"
    SHARING_OBJECT_WRITE = "sharing:object:write"


class Role(enum.StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    MEMBER = "member"
    READER = "reader"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OFFICER: frozenset(
        {
            Permission.AUDIT_EVENT_READ,
            Permission.CATALOGUE_ITEM_WRITE,
            Permission.CATALOGUE_NOMINATION_DECIDE,
            Permission.CATALOGUE_NOMINATION_WRITE,
            Permission.CATALOGUE_PROFILE_WRITE,
            Permission.DECISIONS_POSITION_RECORD,
            Permission.DECISIONS_PROPOSAL_MANAGE,
            Permission.DOCUMENTS_DOCUMENT_DOWNGRADE,
            Permission.DOCUMENTS_DOCUMENT_WRITE,
            Permission.PLANNING_PLAN_APPROVE,
            Permission.PLANNING_PLAN_RUN,
            Permission.OSINT_ASSESSMENT_WRITE,
            Permission.OSINT_SOURCE_MANAGE,
            Permission.PROGRAMMES_COMMENT_WRITE,
            Permission.PROGRAMMES_PROGRAMME_APPROVE,
            Permission.PROGRAMMES_PROGRAMME_WRITE,
            Permission.REGISTRY_ENTRY_WRITE,
            Permission.SHARING_COLLECTION_MANAGE,
            Permission.SHARING_OBJECT_WRITE,
        }
    ),
    Role.MEMBER: frozenset(
        {
            Permission.CATALOGUE_NOMINATION_WRITE,
            Permission.CATALOGUE_PROFILE_WRITE,
            Permission.DECISIONS_POSITION_RECORD,
            Permission.DOCUMENTS_DOCUMENT_WRITE,
            Permission.OSINT_ASSESSMENT_WRITE,
            Permission.PROGRAMMES_COMMENT_WRITE,
            Permission.SHARING_OBJECT_WRITE,
        }
    ),
    Role.READER: frozenset(),
}


def permissions_of(roles: set[Role] | frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)
