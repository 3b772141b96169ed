"""`python -m bot` runs the same command line as `newsbot`."""

from .cli import main

main()
