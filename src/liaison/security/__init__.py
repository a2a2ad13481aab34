# SPDX-License-Identifier: Apache-2.0
"""The one access policy: classification levels now; markings, principals and the policy next."""

from liaison.security.classification import Classification

__all__ = ["Classification"]
