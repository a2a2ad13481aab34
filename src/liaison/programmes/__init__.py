# SPDX-License-Identifier: Apache-2.0
"""Tailored partnership programmes: IPCP and ITPP road maps, negotiated wording, lifecycle."""
