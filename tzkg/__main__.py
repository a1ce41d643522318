"""`python -m tzkg` runs the command line."""

from tzkg.cli import main

main()
