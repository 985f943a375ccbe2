"""The sync engine: connector stream → mapping → canonical store, batch by batch, exactly once."""
