"""`python -m newsbot.bot` runs the same command line as `newsbot`."""

from .cli import main

main()
