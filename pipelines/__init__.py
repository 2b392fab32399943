"""The control plane: config model, planning, executors and the `corpus` command line."""
