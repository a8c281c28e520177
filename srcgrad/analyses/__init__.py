"""Read-only facts about a normalized function tree (they never change it)."""
