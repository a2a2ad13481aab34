# SPDX-License-Identifier: Apache-2.0
"""Sharing hub: a STIX 2.1 store and a TAXII 2.1 server under the one access policy."""
