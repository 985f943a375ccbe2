"""The canonical store: database access, the bulk merge, batch commits, hierarchy and migrations."""
