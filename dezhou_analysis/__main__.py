"""`python -m dezhou_analysis …` is the same as the `dezhou-analysis` command."""

from dezhou_analysis.cli import main

raise SystemExit(main())
