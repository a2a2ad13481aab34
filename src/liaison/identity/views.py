# SPDX-License-Identifier: Apache-2.0
"""Login and logout pages.

Invariants:
- a successful login sets the ``liaison_session`` cookie (HttpOnly, SameSite=Lax, Path=/,
  Secure over https, living as long as the session) and answers 303 to a *local* ``next``
  path only (one leading '/', no scheme, no backslash), so the form is no open redirect;
- a failed login re-renders the form with 401 and returns normally, so the request's unit of
  work commits the failure the rate limit counts (``IdentityService.login``); a refused,
  rate-limited one re-renders with 429;
- the login POST has no session to carry a CSRF token, so it is refused (403) when its
  ``Origin`` or, failing that, ``Referer`` names another origin: a foreign page cannot log a
  browser into an attacker's account (login CSRF);
- logout is an unsafe method behind ``CurrentPrincipal``: a cookie session needs its CSRF
  token to end.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liaison.errors import Forbidden, InvalidInput
from liaison.identity.errors import BadCredentials, TooManyAttempts
from liaison.identity.service import FAILURE_WINDOW, MAX_FAILURES, SESSION_LIFETIME, IdentityService
from liaison.security.principal import ANONYMOUS, Principal
from liaison.web.deps import SESSION_COOKIE, CurrentPrincipal, serves, writes_own_state
from liaison.web.forms import PostedForm
from liaison.web.templating import render

router = APIRouter(include_in_schema=False)


async def _nobody() -> Principal:
    """The login form's principal: nobody yet (a login POST carries no session's CSRF token,
    so it never resolves the cookie's principal)."""
    return ANONYMOUS


Identity = Annotated[IdentityService, Depends(serves(IdentityService))]
LoggingIn = Annotated[IdentityService, Depends(serves(IdentityService, _nobody))]
MAX_TYPED = 2000  # characters in a login form's field
NextParam = Annotated[str | None, Query(alias="next", max_length=MAX_TYPED)]
HOME = "/"


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the start page."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)  # noqa: PLR2004 - controls
    ):
        return HOME
    return target


def same_origin(request: Request) -> bool:
    """False when the request says it comes from another origin (``Origin``, else ``Referer``);
    True when it says nothing (non-browser clients, privacy settings)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return True
    parts = urlsplit(source)
    return (parts.scheme, parts.netloc) == (request.url.scheme, request.url.netloc)


def _login_page(
    request: Request,
    *,
    next_path: str,
    username: str = "",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "next": next_path,
        "username": username,
        "error": error,
        "max_failures": MAX_FAILURES,
        "wait_minutes": int(FAILURE_WINDOW.total_seconds() // 60),
    }
    return render(request, "identity/login.html", context, status_code=status)


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, principal: CurrentPrincipal, next_: NextParam = None
) -> HTMLResponse:
    del principal  # asked for so the page header shows who is logged in
    return _login_page(request, next_path=safe_next(next_))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, service: LoggingIn, posted: PostedForm) -> Response:
    if not same_origin(request):
        raise Forbidden("this login form was sent from another site; log in from this site")
    form = posted.fields(username="", password="", next=HOME)
    for name, value in form.items():
        if len(value) > MAX_TYPED:
            raise InvalidInput(f"at most {MAX_TYPED} characters", field=name)
    target = safe_next(form["next"])
    address = request.client.host if request.client else "unknown"
    try:
        issued = service.login(form["username"], form["password"], address)
    except (BadCredentials, TooManyAttempts) as exc:
        return _login_page(
            request,
            next_path=target,
            username=form["username"],
            error=exc.message,
            status=exc.status_code,
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.cookie,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


@router.post("/logout")
@writes_own_state
def logout(request: Request, service: Identity) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and service.principal.authenticated:
        service.logout(cookie)
    response = RedirectResponse(HOME, status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response
