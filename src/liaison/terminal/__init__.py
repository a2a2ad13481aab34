# SPDX-License-Identifier: Apache-2.0
"""CLI plumbing shared by every feature's Typer sub-app: output, failure, the unit of work."""
