# Empty dependencies file for olly-unit-tests.
# This may be replaced when dependencies are built.
