"""The realistic sample dealer network behind ``make demo``: build it, load it, drop its stock files."""
