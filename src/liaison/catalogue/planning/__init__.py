# SPDX-License-Identifier: Apache-2.0
"""The seat planner: a plain instance (``instance``), the CP-SAT model (``model``), the greedy
baseline (``greedy``), explanations (``explain``) and the run that stores a plan (``run``)."""
