# The class server's JupyterHub configuration. Everything it depends on comes from hub/.env
# (HUB_* variables, see hub/.env.example and docs/hub.md); the rules live in cnn_kata_hub.
import os
import sys

from cnn_kata_hub import config, settings

try:
    chosen = settings.read(os.environ)
except settings.SettingsError as error:
    # One line in `docker compose logs hub` that names the variable and the fix, not a traceback.
    print(f"cnn-kata hub: {error}", file=sys.stderr, flush=True)
    sys.exit(78)   # EX_CONFIG

config.configure(c, chosen)  # noqa: F821 (c is JupyterHub's config object)
