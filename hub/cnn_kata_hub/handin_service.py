"""The hand-in service: a JupyterHub service (tornado) in front of the hand-in store.

The hub starts it (hub/cnn_kata_hub/config.py: `c.JupyterHub.services`), gives it its token and
URL by environment, and routes /services/handin/ to it. Students reach it from their labs with
the token their server already holds (`kata submit`, or `submit()` in a notebook); the
instructor with a token of their own (/hub/token).

Who is asking is JupyterHub's answer, through `jupyterhub.services.auth.HubAuth`: every request's
token is checked with the hub again (no cache: a token revoked a second ago no longer works), and
must carry the scope `access:services!service=handin`, which the hub grants students' tokens and
every admin has. A student hands in only as themselves: the username comes from the token, and a
request that names someone else is refused. Admins (tokens with `admin:users`) also list the
class and move the deadline.

API, under the service's prefix (/services/handin/):

    GET    api/health                  no token needed: {"status": "ok"}
    POST   api/handins                 hand in: {"files": {"exercises/data.py": "<base64>", …}}
    POST   api/handins/<student>       the same, naming yourself (anyone else: 403)
    GET    api/handins                 your hand-ins; an admin's: every student's latest
    GET    api/handins/<student>       one student's hand-ins (yourself, or anyone for an admin)
    GET    api/deadline                the deadline in force
    PUT    api/deadline                admins: {"deadline": "2026-06-30T23:59+02:00"} (null: none)
    DELETE api/deadline                admins: back to hub/.env's HUB_HANDIN_DEADLINE

Every refusal is JSON: {"error": reason, "message": {"es": …, "en": …}}, and a line in the hub's
log with the user and the reason.
"""

import asyncio
import base64
import binascii
import json
import logging
import os
import sys
from urllib.parse import urlparse

from jupyterhub.services.auth import HubAuth, HubAuthenticated, UserNotAllowed
from tornado import web

from cnn_kata_hub import handin_store
from cnn_kata_hub.handin_store import MAX_BODY_BYTES, Refused, Store
from cnn_kata_hub.pages import Message

NAME = "handin"
PORT = 10101
ADMIN_SCOPE = "admin:users"
# Tornado itself drops a connection whose body goes past this; below it the service reads a body
# that is too large to the end, so the sender gets a clear refusal rather than a broken pipe.
DRAIN_LIMIT = 64 * 2**20
log = logging.getLogger("cnn-kata-handin")


def _message(es, en) -> dict:
    return {"es": es, "en": en}


NO_TOKEN = Message("Falta tu token del servidor de la clase: entrega desde tu JupyterLab (kata submit).",
                   "Your class server token is missing: hand in from your JupyterLab (kata submit).")
NOT_YOURS = Refused("not_yours", 403, Message("Solo puedes ver y hacer tus propias entregas.",
                                             "You can only see and make your own hand-ins."))
NOT_ALLOWED = Message("Este token no sirve para entregar: entrega desde tu JupyterLab (kata submit).",
                      "This token cannot hand in: hand in from your JupyterLab (kata submit).")


class ServiceHandler(HubAuthenticated, web.RequestHandler):
    """Authenticated with the hub on every request; errors as JSON with both languages."""

    def initialize(self, store: Store, hub_auth: HubAuth):
        self.store = store
        self.hub_auth = hub_auth

    async def authenticate(self):
        """The hub's user model for this request's token, or a refusal (401 without, 403 for a bad one)."""
        token = self.hub_auth.get_token(self, in_cookie=False)
        if not token:
            raise Refused("no_token", 401, NO_TOKEN)
        model = await self.hub_auth.user_for_token(token, use_cache=False, sync=False)
        if not model:
            raise Refused("bad_token", 403, NOT_ALLOWED)
        try:
            model = self.check_hub_user(model)
        except UserNotAllowed:
            raise Refused("no_scope", 403, NOT_ALLOWED) from None
        if model.get("kind", "user") != "user":
            raise Refused("not_a_user", 403, NOT_ALLOWED)
        return model

    def is_admin(self, model) -> bool:
        return ADMIN_SCOPE in set(model.get("scopes") or ())

    def mine_or_admin(self, model, student):
        """Reading: one's own hand-ins, or anyone's for an admin."""
        if student != model["name"] and not self.is_admin(model):
            raise NOT_YOURS

    @staticmethod
    def only_yourself(model, student):
        """Writing: only as oneself, admins included (nobody hands in on a student's behalf)."""
        if student != model["name"]:
            raise NOT_YOURS

    def answer(self, status: int, body) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False, sort_keys=True))

    def refuse(self, refusal: Refused, user="-") -> None:
        log.warning("cnn-kata handin: refused %s %s for %s (%s): %s", self.request.method, self.request.path,
                    user, refusal.reason, refusal.message.en)
        self.answer(refusal.status, {"error": refusal.reason,
                                     "message": _message(refusal.message.es, refusal.message.en)})

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": "http", "status": status_code, "message": _message(
            "El servicio de entregas no ha podido atender la petición: prueba otra vez y, si sigue igual, "
            "avisa a tu profesor.",
            "The hand-in service could not serve the request: try again and, if nothing changes, "
            "tell your instructor.")}))

    def check_xsrf_cookie(self):
        """Token-authenticated API only: no cookies, so no cross-site request can carry a session."""


@web.stream_request_body
class HandinsHandler(ServiceHandler):
    """Hand in (POST), and list hand-ins (GET)."""

    async def prepare(self):
        self.user_model, self.refusal, self.body = None, None, bytearray()
        try:
            self.user_model = await self.authenticate()
            declared = self.request.headers.get("Content-Length")
            if self.request.method == "POST" and declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                raise _too_large(int(declared))
        except Refused as refusal:
            # Read the rest and drop it, then refuse: the sender gets the reason, not a reset connection.
            self.refusal = refusal

    def data_received(self, chunk):
        if self.refusal:
            return
        self.body += chunk
        if len(self.body) > MAX_BODY_BYTES:
            self.refusal, self.body = _too_large(len(self.body)), bytearray()

    async def post(self, student=None):
        user = (self.user_model or {}).get("name", "-")
        try:
            if self.refusal:
                raise self.refusal
            if student is not None:
                self.only_yourself(self.user_model, student)
            files, client, named = _read_handin(bytes(self.body))
            if named is not None:
                self.only_yourself(self.user_model, named)
            receipt = self.store.hand_in(user, files, client=client)
        except Refused as refusal:
            self.refuse(refusal, user)
            return
        record = receipt.record
        if receipt.unchanged:
            log.info("cnn-kata handin: %s handed in %s again, unchanged", user, record["id"])
        else:
            log.info("cnn-kata handin: %s handed in %s (%d files, number %d%s)", user, record["id"],
                     len(record["files"]), record["number"], ", late" if record["late"] else "")
        self.answer(200 if receipt.unchanged else 201, {**record, "unchanged": receipt.unchanged})

    async def get(self, student=None):
        try:
            if self.refusal:
                raise self.refusal
            model = self.user_model
            if student is None and self.is_admin(model):
                deadline, source = self.store.deadline()
                self.answer(200, {"deadline": handin_store.iso(deadline) if deadline else None,
                                  "deadline_from": source, "students": self.store.index()})
                return
            student = student or model["name"]
            self.mine_or_admin(model, student)
            self.answer(200, {"student": student, "handins": self.store.history(student)})
        except Refused as refusal:
            self.refuse(refusal, (self.user_model or {}).get("name", "-"))


class DeadlineHandler(ServiceHandler):
    """The deadline: anyone may read it, admins move it."""

    async def prepare(self):
        self.user_model, self.refusal = None, None
        try:
            self.user_model = await self.authenticate()
            if self.request.method != "GET" and not self.is_admin(self.user_model):
                raise Refused("admins_only", 403, Message("Solo tu profesor puede mover el plazo.",
                                                          "Only your instructor can move the deadline."))
        except Refused as refusal:
            self.refusal = refusal

    def _current(self):
        deadline, source = self.store.deadline()
        self.answer(200, {"deadline": handin_store.iso(deadline) if deadline else None, "deadline_from": source})

    def get(self):
        if self.refusal:
            return self.refuse(self.refusal)
        self._current()

    def put(self):
        if self.refusal:
            return self.refuse(self.refusal, (self.user_model or {}).get("name", "-"))
        try:
            text = json.loads(self.request.body or b"{}").get("deadline")
            moment = handin_store.parse_deadline(text) if text else None
        except (ValueError, AttributeError) as error:
            return self.refuse(Refused("bad_deadline", 400, Message(
                f"El plazo no se entiende: {error}", f"The deadline cannot be read: {error}")))
        self.store.move_deadline(moment)
        log.info("cnn-kata handin: %s moved the deadline to %s", self.user_model["name"], text or "none")
        self._current()

    def delete(self):
        if self.refusal:
            return self.refuse(self.refusal, (self.user_model or {}).get("name", "-"))
        self.store.reset_deadline()
        log.info("cnn-kata handin: %s put the deadline back to hub/.env's", self.user_model["name"])
        self._current()


class HealthHandler(web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.finish({"status": "ok"})


def _too_large(size: int) -> Refused:
    try:
        handin_store.too_large(size, MAX_BODY_BYTES)
    except Refused as refusal:
        return refusal


def _read_handin(body: bytes):
    """(files as {name: bytes}, the client's name, the student the request names or None)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise Refused("not_json", 400, Message(
            'La petición no es una entrega: se espera JSON con {"files": {"exercises/data.py": "<base64>"}}. '
            "Entrega con kata submit.",
            'The request is not a hand-in: JSON with {"files": {"exercises/data.py": "<base64>"}} is expected. '
            "Hand in with kata submit."))
    files = {}
    for name, encoded in data["files"].items():
        try:
            files[name] = base64.b64decode(encoded, validate=True)
        except (binascii.Error, TypeError, ValueError):
            shown = repr(name)[:80]
            raise Refused("not_base64", 400, Message(f"El contenido de {shown} no está en base64.",
                                                     f"The content of {shown} is not base64.")) from None
    handin_store.check_files(files)
    named = data.get("student")
    return files, str(data.get("client", ""))[:100], (str(named) if named is not None else None)


def make_app(store: Store, hub_auth: HubAuth, prefix: str) -> web.Application:
    prefix = "/" + prefix.strip("/") + "/"
    student = r"([^/]+)"
    options = {"store": store, "hub_auth": hub_auth}
    return web.Application([
        (prefix + "api/health", HealthHandler),
        (prefix + "api/handins", HandinsHandler, options),
        (prefix + f"api/handins/{student}", HandinsHandler, options),
        (prefix + "api/deadline", DeadlineHandler, options),
    ])


def main(environ=os.environ) -> None:
    logging.basicConfig(level=logging.INFO, format="[%(levelname).1s %(asctime)s %(name)s] %(message)s")
    try:
        default = handin_store.parse_deadline(environ["HUB_HANDIN_DEADLINE"]) if environ.get("HUB_HANDIN_DEADLINE") else None
    except ValueError as error:
        sys.exit(f"cnn-kata handin: HUB_HANDIN_DEADLINE {error}")
    store = Store(environ.get("HUB_HANDIN_STORE", "/srv/handins"), default)
    store.tidy()
    # Its own token and the hub's API come from JupyterHub's environment; the scope it requires is
    # stated here, so that no environment can leave the service open to every token.
    hub_auth = HubAuth(access_scopes={f"access:services!service={NAME}"})
    port = urlparse(environ.get("JUPYTERHUB_SERVICE_URL", "")).port or PORT
    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{NAME}/")
    deadline, source = store.deadline()
    log.info("cnn-kata handin: store %s, deadline %s (%s), port %s", store.root,
             handin_store.iso(deadline) if deadline else "none", source, port)
    asyncio.run(_serve(make_app(store, hub_auth, prefix), port))


async def _serve(app, port):
    # On every interface of the hub's container or pod: the students' network reaches it as hub:10101.
    app.listen(port, "0.0.0.0", max_body_size=DRAIN_LIMIT)
    await asyncio.Event().wait()


if __name__ == "__main__":
    main()
