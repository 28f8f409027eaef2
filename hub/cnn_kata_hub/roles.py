"""Who a launch is for: an instructor or not, from the roles an LTI 1.3 launch carries, and their name.

The LMS lists the user's roles in the claim below as LIS vocabulary URIs
(https://www.imsglobal.org/spec/lti/v1p3/#role-vocabularies). The hub makes an admin of whoever
teaches *this course*: the context (membership) roles Instructor and Administrator, and the
Instructor sub-roles such as TeachingAssistant. Institution roles are left out on purpose: a
teacher elsewhere in the university who takes this course as a student stays a student here.
"""

ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
TEACHING = (f"{MEMBERSHIP}#Instructor", f"{MEMBERSHIP}#Administrator")
# LTI 1.1's short names, which some platforms still send in 1.3 launches.
SHORT_NAMES = ("instructor", "administrator")


def teaches(roles) -> bool:
    """True when the launch's roles make the user one of the course's teachers."""
    if isinstance(roles, str):
        roles = [roles]
    for role in roles or ():
        role = str(role).strip()
        if role in TEACHING or role.startswith(f"{MEMBERSHIP}/Instructor#") or role.lower() in SHORT_NAMES:
            return True
    return False


def of_launch(id_token: dict) -> list:
    """The roles claim of a verified id_token, as a list (empty when the LMS sent none)."""
    roles = (id_token or {}).get(ROLES_CLAIM) or []
    return [roles] if isinstance(roles, str) else list(roles)


def display_name(id_token: dict) -> str:
    """The person's name as the LMS shares it (`name`, else given and family names), or ''."""
    id_token = id_token or {}
    name = str(id_token.get("name") or "").strip()
    if not name:
        name = " ".join(str(id_token.get(key) or "").strip() for key in ("given_name", "family_name")).strip()
    return name[:200]
