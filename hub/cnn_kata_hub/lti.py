"""Login from Moodle or Canvas with LTI 1.3, on jupyterhub-ltiauthenticator.

The library does the protocol: the OIDC login initiation, the state and nonce cookies, the
id_token's signature against the LMS's keys (PyJWT) and its claims. This module adds what a
course needs around it:

- the hub username is the LMS's stable user id (`sub`), never a name the user can edit;
- the course's Instructor (or Administrator, or a teaching assistant) becomes a hub admin, and
  loses it when the LMS stops saying so;
- the name the LMS shares, if it does, is kept as JupyterHub's display name (the admin sees it in
  the users API, the student in JupyterLab), never as the username;
- a refused launch gets a page that says why in Spanish and English, and a log line with the
  library's words and the token's unverified issuer, audience and subject for the admin.
"""

import jwt
from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler, LTI13LoginInitHandler
from tornado import web

from cnn_kata_hub import refusals, roles
from cnn_kata_hub.pages import OPEN_FROM_THE_LMS


def _unverified_claims(handler) -> str:
    """iss, aud and sub of the posted id_token, read without trusting it, for the log."""
    token = handler.get_body_argument("id_token", default=None) or handler.get_argument("id_token", default=None)
    if not token:
        return "no id_token"
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return "an id_token that is not a JWT"
    return ", ".join(f"{key}={claims.get(key)!r}" for key in ("iss", "aud", "sub"))


def _refused(handler, error, stage) -> web.HTTPError:
    refusal = refusals.explain(error, stage=stage)
    expected = handler.authenticator
    handler.log.warning(
        "cnn-kata: LTI launch refused (%s) at %s: %s; the token says %s; the hub expects issuer=%r, client ids=%r",
        refusal.reason, handler.request.path, refusal.detail, _unverified_claims(handler),
        expected.issuer, sorted(expected.client_id))
    page = web.HTTPError(refusal.status, "LTI launch refused: %s", refusal.reason)
    return refusal.message.attach(page)


class KataLoginInitHandler(LTI13LoginInitHandler):
    """The LMS's login initiation; a request without its arguments is refused with where to go."""

    def post(self):
        try:
            return super().post()
        except web.HTTPError as error:
            raise _refused(self, error, "login") from error

    get = post


class KataCallbackHandler(LTI13CallbackHandler):
    """The id_token's arrival; each failed check is refused with a page that names it."""

    async def post(self):
        try:
            await super().post()
        except web.HTTPError as error:
            raise _refused(self, error, "callback") from error


class KataLTI13Authenticator(LTI13Authenticator):
    """LTI 1.3 with the course's rules: stable usernames, teachers as admins, readable refusals."""

    login_handler = KataLoginInitHandler
    callback_handler = KataCallbackHandler

    def get_custom_html(self, base_url):
        # The hub's own login page has nothing to fill in: students arrive from the LMS.
        return f'<div class="service-login"><p>{OPEN_FROM_THE_LMS.html}</p></div>'

    async def authenticate(self, handler, data=None):
        model = await super().authenticate(handler, data)
        name = self.normalize_username(model["name"])
        model["admin"] = roles.teaches(roles.of_launch(data)) or name in self.admin_users
        shown = roles.display_name(data)
        if shown:
            model["user_info"] = {"display_name": shown}
        return model
