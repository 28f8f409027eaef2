"""How the hub words a problem for a student: Spanish first, then English, plain and kind.

JupyterHub shows an exception's `jupyterhub_message` (text) and `jupyterhub_html_message` (HTML)
on its error and spawn pages instead of the raw error; `Message` makes both from one pair of
sentences.
"""

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One thing to tell a student, in both languages."""

    es: str
    en: str

    @property
    def text(self) -> str:
        return f"{self.es}\n\n{self.en}"

    @property
    def html(self) -> str:
        return (f'<span lang="es">{html.escape(self.es)}</span><br><br>'
                f'<span lang="en"><em>{html.escape(self.en)}</em></span>')

    def attach(self, exception: Exception) -> Exception:
        """`exception` carrying this message for JupyterHub's pages."""
        exception.jupyterhub_message = self.text
        exception.jupyterhub_html_message = self.html
        return exception


# The login page in LTI mode: there is nothing to type, the LMS signs the student in.
OPEN_FROM_THE_LMS = Message(
    "Para entrar, abre la actividad de la kata desde tu curso en Moodle o Canvas: el curso te "
    "identifica y te lleva a tu propio JupyterLab.",
    "To sign in, open the kata's activity from your course in Moodle or Canvas: the course "
    "identifies you and takes you to your own JupyterLab.")
