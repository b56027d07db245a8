# Empty compiler generated dependencies file for olly-filter.
# This may be replaced when dependencies are built.
