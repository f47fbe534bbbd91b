"""Settings: pydantic classes read from prefixed environment variables, and Django's settings.

Every process reads its settings through this package before it defines any pydantic model, so
this is where a pydantic plugin is kept off: the Logfire SDK registers one that imports the
whole SDK into every process (about 3 s of start-up here) even with tracing off, and we do not
use it. Set `PYDANTIC_DISABLE_PLUGINS` yourself to choose otherwise.
"""

import os

os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "logfire-plugin")
