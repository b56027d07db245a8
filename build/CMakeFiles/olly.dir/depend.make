# Empty dependencies file for olly.
# This may be replaced when dependencies are built.
