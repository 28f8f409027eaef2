"""Why a student's server could not start: a kind message for the student, the cause for the admin.

A `SpawnFailure` is a tornado HTTPError, so JupyterHub logs it in one line with the student's name
(`Error starting <name>'s server: … (<reason for the admin>)`), without a traceback, and shows
its `jupyterhub_message` on the student's spawn page instead of Docker's words.
"""

from tornado import web

from cnn_kata_hub.pages import Message

SAFE_ES = "Tus ficheros están a salvo."
SAFE_EN = "Your files are safe."


class SpawnFailure(web.HTTPError):
    """A server that did not start; `reason_for_admin` says what to change, and where."""

    def __init__(self, message: Message, reason_for_admin: str, status=503):
        super().__init__(status, "%s", reason_for_admin)
        self.reason_for_admin = reason_for_admin
        message.attach(self)


def image_missing(image: str) -> SpawnFailure:
    return SpawnFailure(Message(
        f"Tu espacio de trabajo no puede arrancar: al servidor de la clase le falta la imagen del curso. {SAFE_ES} "
        "Avisa a tu profesor.",
        f"Your workspace cannot start: the class server lacks the course's image. {SAFE_EN} Tell your instructor."),
        f"the students' image {image} is not on this Docker engine: build it (in hub/: docker compose build) "
        f"or correct HUB_STUDENT_IMAGE in hub/.env")


def engine_refused(error: str) -> SpawnFailure:
    return SpawnFailure(Message(
        f"Tu espacio de trabajo no puede arrancar ahora mismo. {SAFE_ES} Prueba otra vez en unos minutos y, si "
        "sigue igual, avisa a tu profesor.",
        f"Your workspace cannot start right now. {SAFE_EN} Try again in a few minutes and, if nothing changes, "
        "tell your instructor."),
        f"the Docker engine refused to start the container: {error}")


def _size(limit_bytes: int) -> str:
    gib = limit_bytes / 2**30
    return f"{gib:.1f} GiB".replace(".0 GiB", " GiB") if gib >= 1 else f"{limit_bytes // 2**20} MiB"


def stopped_while_starting(state: dict, logs: str, limit_bytes: int) -> SpawnFailure:
    """The failure for a container that stopped before serving, from `docker inspect`'s State."""
    last_lines = "\n".join(logs.strip().splitlines()[-12:]) or "(nothing)"
    if state.get("OOMKilled"):
        return SpawnFailure(Message(
            f"Tu espacio de trabajo se ha quedado sin memoria al arrancar (cada estudiante tiene {_size(limit_bytes)}). "
            f"{SAFE_ES} Avisa a tu profesor.",
            f"Your workspace ran out of memory while starting (each student has {_size(limit_bytes)}). {SAFE_EN} "
            "Tell your instructor."),
            f"the container ran out of memory while starting (limit {_size(limit_bytes)}): raise HUB_MEM_LIMIT "
            f"in hub/.env; its last lines:\n{last_lines}")
    code = state.get("ExitCode")
    return SpawnFailure(Message(
        f"Tu espacio de trabajo se ha parado al arrancar. {SAFE_ES} Prueba otra vez y, si vuelve a pasar, avisa a "
        "tu profesor.",
        f"Your workspace stopped while starting. {SAFE_EN} Try again and, if it happens again, tell your "
        "instructor."),
        f"the container exited with status {code} before serving ({state.get('Error') or 'no error from Docker'}); "
        f"its last lines:\n{last_lines}")


def never_served(seconds: float) -> SpawnFailure:
    return SpawnFailure(Message(
        f"Tu espacio de trabajo tarda demasiado en arrancar; el servidor de la clase puede estar muy ocupado. "
        f"{SAFE_ES} Prueba otra vez en unos minutos.",
        f"Your workspace is taking too long to start; the class server may be very busy. {SAFE_EN} "
        "Try again in a few minutes."),
        f"the container ran but did not answer within {seconds:.0f} s: the machine may be overloaded "
        f"(docs/hub.md, capacity; HUB_MAX_SERVERS)")
