# SPDX-License-Identifier: Apache-2.0
"""The ``liaison`` command line: a Typer root that mounts each feature's sub-app."""
