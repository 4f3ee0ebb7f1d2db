"""`python -m cleaner` runs the same app as the `dw-clean` console script."""

from cleaner.launch import main

main()
