from __future__ import annotations

from homologa.cli import main

raise SystemExit(main())
