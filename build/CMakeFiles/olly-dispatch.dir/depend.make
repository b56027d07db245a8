# Empty dependencies file for olly-dispatch.
# This may be replaced when dependencies are built.
