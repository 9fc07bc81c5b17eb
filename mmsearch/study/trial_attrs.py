"""Names of the user attributes that mark a trial's origin and end, shared by the objective, the budget and retries."""

PRESET_ATTR = "preset"
"""The baseline preset a trial runs (absent for a sampled trial)."""

IN_SPACE_ATTR = "preset_in_space"
"""True when a baseline trial was enqueued with the preset's parameters in the space (drawn through the space)."""

INTERRUPTED = "interrupted"
"""The ``fail_reason`` of a trial stopped by Ctrl-C (it does not count toward the budget)."""
