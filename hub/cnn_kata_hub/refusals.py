"""Why an LTI 1.3 launch was refused, in words a student can act on and a line an admin can fix.

jupyterhub-ltiauthenticator checks the launch (the state and nonce against the browser's
cookies, the id_token's signature against the LMS's keys, its issuer, audience and age) and
raises a bare HTTP error whose cause is PyJWT's or its own exception. `explain` walks that chain
of causes and names the check that failed; it only reads class names and messages, so it needs
neither library to run.
"""

from dataclasses import dataclass

from cnn_kata_hub.pages import Message

AGAIN_ES = "Vuelve a tu curso y abre otra vez la actividad de la kata."
AGAIN_EN = "Go back to your course and open the kata's activity again."
TELL_ES = "Tus ficheros están a salvo. Avisa a tu profesor: el servidor de la clase y el curso no están bien enlazados"
TELL_EN = "Your files are safe. Tell your instructor: the class server and the course are not linked correctly"


@dataclass(frozen=True)
class Refusal:
    """One refused launch: the check that failed, the HTTP status and what to tell the student."""

    reason: str
    status: int
    message: Message
    detail: str = ""   # the library's own words, for the hub's log


REFUSALS = {
    "issuer": (400, Message(
        f"No se ha podido entrar: el inicio de sesión viene de una plataforma que este servidor no conoce. {TELL_ES} (emisor, «issuer»).",
        f"Could not sign you in: the sign-in comes from a platform this server does not know. {TELL_EN} (issuer).")),
    "client_id": (401, Message(
        f"No se ha podido entrar: el inicio de sesión era para otra herramienta del curso. {TELL_ES} (identificador de cliente, «client id»).",
        f"Could not sign you in: the sign-in was meant for another tool of the course. {TELL_EN} (client id).")),
    "signature": (400, Message(
        f"No se ha podido entrar: la firma del inicio de sesión no es válida. {AGAIN_ES} Si vuelve a pasar, avisa a tu profesor.",
        f"Could not sign you in: the sign-in's signature is not valid. {AGAIN_EN} If it happens again, tell your instructor.")),
    "expired": (400, Message(
        f"No se ha podido entrar: el inicio de sesión ha caducado (tardó demasiado en llegar). {AGAIN_ES}",
        f"Could not sign you in: the sign-in has expired (it took too long to arrive). {AGAIN_EN}")),
    "nonce": (400, Message(
        f"No se ha podido entrar: el inicio de sesión no corresponde a esta ventana del navegador. {AGAIN_ES} "
        "Si vuelve a pasar, ábrela en una ventana nueva y permite las cookies de este sitio.",
        f"Could not sign you in: the sign-in does not belong to this browser window. {AGAIN_EN} "
        "If it happens again, open it in a new window and allow this site's cookies.")),
    "jwks": (502, Message(
        f"No se ha podido entrar: el servidor de la clase no ha podido consultar las claves de Moodle o Canvas. {TELL_ES}.",
        f"Could not sign you in: the class server could not fetch Moodle's or Canvas's keys. {TELL_EN}.")),
    "not_from_lms": (400, Message(
        "Esta dirección la abre tu curso, no se visita directamente: entra desde la actividad de la kata en Moodle o Canvas.",
        "This address is opened by your course, not visited directly: sign in from the kata's activity in Moodle or Canvas.")),
    "claims": (400, Message(
        f"No se ha podido entrar: el curso envió un inicio de sesión incompleto. {TELL_ES}.",
        f"Could not sign you in: the course sent an incomplete sign-in. {TELL_EN}.")),
}

# PyJWT's exception classes, and ltiauthenticator's, by name.
BY_CLASS = {
    "InvalidIssuerError": "issuer",
    "InvalidAudienceError": "client_id",
    "ExpiredSignatureError": "expired",
    "ImmatureSignatureError": "expired",
    "InvalidIssuedAtError": "expired",
    "PyJWKClientConnectionError": "jwks",
    "InvalidSignatureError": "signature",
    "PyJWKClientError": "signature",     # no key of the LMS has the token's key id
    "DecodeError": "signature",          # not a JWT at all
    "InvalidAlgorithmError": "signature",
}
# ltiauthenticator's own refusals, which are plain HTTP errors: by their words.
BY_WORDS = (
    ("issued too long ago", "expired"),
    ("nonce", "nonce"),
    ("state", "nonce"),          # the state cookie is missing or differs: the same advice
    ("Required LTI 1.3 arg", "not_from_lms"),
)


def _chain(exception):
    """The exception and its causes, outermost first."""
    seen = []
    while exception is not None and exception not in seen:
        seen.append(exception)
        exception = exception.__cause__ or exception.__context__
    return seen


def _words(exception) -> str:
    return str(getattr(exception, "log_message", None) or exception)


def explain(exception, *, stage="callback") -> Refusal:
    """The Refusal for an exception raised while checking a launch.

    `stage` is "login" for the first request of a launch (the LMS's login initiation), where a
    missing argument means someone opened the address by hand, or "callback" for the id_token.
    """
    chain = _chain(exception)
    detail = " <- ".join(f"{type(e).__name__}: {_words(e)}" for e in chain)
    reason = None
    for link in reversed(chain):     # the innermost cause is the most precise
        names = [cls.__name__ for cls in type(link).__mro__]
        reason = next((BY_CLASS[name] for name in names if name in BY_CLASS), None)
        if reason:
            break
    if reason is None:
        words = " ".join(_words(e) for e in chain)
        reason = next((key for phrase, key in BY_WORDS if phrase in words), None)
    if reason is None or (reason == "not_from_lms" and stage != "login"):
        reason = "claims"
    status, message = REFUSALS[reason]
    return Refusal(reason, status, message, detail)
