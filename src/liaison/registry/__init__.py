# SPDX-License-Identifier: Apache-2.0
"""Registry: countries, allies, partners and frameworks, security agreements, offices and
contact-point embassies."""
