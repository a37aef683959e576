"""The shell feature registry (SPEC C9): declarations in TOML, resolution, a generated, timed loader.

- :mod:`perth.features.model` reads and validates ``[features.NAME]`` tables;
- :mod:`perth.features.switches` holds the enable/disable layers (env > CLI > user file > defaults);
- :mod:`perth.features.resolve` orders the features (Kahn, ties by phase then name), finds cycles,
  unknown dependencies and phase inversions, and cascades disabling to dependents;
- :mod:`perth.features.loader` writes the zsh or bash loader around the C8 timing library;
- :mod:`perth.features.graph`, :mod:`perth.features.measured`, :mod:`perth.features.importer`
  draw the graph, read the latest shellperf run's segments, and propose declarations from a .zshrc;
- :mod:`perth.features.registry` is what the interfaces call.
"""

from __future__ import annotations
