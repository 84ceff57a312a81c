"""`python -m cloudlet` runs the command-line interface."""

from cloudlet.cli import main

main()
