# SPDX-License-Identifier: Apache-2.0
"""Documents: the first marked content — uploaded files (PDF, DOCX, text, Markdown) and notes,
each under one marking, searchable in full text, read only through the access policy."""
