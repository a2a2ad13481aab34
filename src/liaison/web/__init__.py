# SPDX-License-Identifier: Apache-2.0
"""Web plumbing shared by every feature: the request's unit of work, templates, problem JSON."""
