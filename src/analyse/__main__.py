from analyse.cli import main

raise SystemExit(main())
