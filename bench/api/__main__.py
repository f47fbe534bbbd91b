from bench.api.runner import main

raise SystemExit(main())
