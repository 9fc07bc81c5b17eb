"""Names of the user attributes that mark a trial's origin and end, shared by the objective, the budget and retries."""

PRESET_ATTR = "preset"
"""The baseline preset a trial runs (absent for a sampled trial)."""

IN_SPACE_ATTR = "preset_in_space"
"""True when a baseline trial was enqueued with the preset's parameters in the space (drawn through the space)."""

INTERRUPTED = "interrupted"
"""The ``fail_reason`` of a trial stopped by Ctrl-C (it does not count toward the budget)."""

LOST_CLAIM = "gave its place back: its claim lock was lost, and the budget was full"
"""The ``fail_reason`` of a trial that another worker's claim overlapped (it does not count; see ``worker.work``)."""

VARIANT_ATTR = "variant"
"""On a trial of an ablation: ``axis``, ``anchor``, ``choice`` and ``seed`` of the variant it trains."""

VARIANT_SPEC_ATTR = "variant_spec"
"""On a trial of an ablation: the ``TrialSpec`` (as a dict) it trains, fixed when it was enqueued."""

REUSED_ATTR = "reused_from"
"""On an ablation trial copied from an equal stored trial (same spec and seed): ``<study>#<trial>`` of that trial."""

ORIGIN_ATTRS = (PRESET_ATTR, IN_SPACE_ATTR, VARIANT_ATTR, VARIANT_SPEC_ATTR)
"""The attributes that say what a trial trains besides its parameters; a retry carries them over."""
