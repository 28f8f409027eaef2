"""The class server of cnn-kata: JupyterHub configured for a course (hub/jupyterhub_config.py).

- `settings`: hub/.env's HUB_* variables, read and checked once, with errors that name the fix.
- `config`: the JupyterHub, DockerSpawner, authenticator and culler settings made from them.
- `lti`: login from Moodle or Canvas (LTI 1.3): Instructor means admin, refusals that say why.
- `refusals`, `roles`, `failures`, `pages`: the plain rules and texts behind them, with no
  JupyterHub import, so that the kata's tests run them on any machine.
- `spawner`: each student's server in a container of the kata's image, with failures explained.
"""
