"""The canonical model: entities, identifiers, units and money, tables, store and migrations.

This is the centre every other package depends on; it depends on none of them.
"""
