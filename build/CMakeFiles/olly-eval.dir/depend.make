# Empty dependencies file for olly-eval.
# This may be replaced when dependencies are built.
