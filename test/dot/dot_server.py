"""A real django-oauth-toolkit server, the OAuth 2.0 server 7Geese runs, for the tests in this folder.

Run with Debian's python3 and python3-django-oauth-toolkit:

    /usr/bin/python3 test/dot/dot_server.py CONFIG_JSON

CONFIG_JSON holds the users and applications to create. The server listens on 127.0.0.1 on a
free port, prints one line `listening <port>` when ready, and serves until its stdin closes, so
that it never outlives the test that started it.
"""

import json
import os
import shutil
import sys
import tempfile
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django
from django.conf import settings

CONFIG = json.loads(sys.argv[1])
DATA_DIR = tempfile.mkdtemp(prefix="dot-server-")

# 7Geese's scopes, as its documentation lists them.
RESOURCES = ["userprofile", "network", "department", "recognition", "oneonone", "feedback",
             "privatenote", "objective", "review"]
SCOPES = {"all": "Everything"}
for resource in RESOURCES:
    SCOPES[f"{resource}:read"] = f"Read your {resource}"
    SCOPES[f"{resource}:write"] = f"Change your {resource}"

settings.configure(
    DEBUG=False,
    SECRET_KEY="dot-test-server-secret-key-not-for-production",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.staticfiles",
        "oauth2_provider",
    ],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": os.path.join(DATA_DIR, "db.sqlite3")}},
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                           "django.contrib.auth.context_processors.auth"]},
    }],
    STATIC_URL="/static/",
    USE_TZ=True,
    LOGIN_URL="/login/",
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    OAUTH2_PROVIDER={"SCOPES": SCOPES, "DEFAULT_SCOPES": ["userprofile:read"]},
)
django.setup()

from django.contrib.auth import authenticate, get_user_model, login  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils.html import escape  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from oauth2_provider.models import get_application_model  # noqa: E402
from oauth2_provider.oauth2_backends import get_oauthlib_core  # noqa: E402


@csrf_exempt
def login_view(request):
    """Django's sign-in, reduced to a form: 7Geese shows its own before the consent page."""
    nxt = request.GET.get("next") or request.POST.get("next") or "/"
    if request.method == "POST":
        user = authenticate(request, username=request.POST.get("username"),
                            password=request.POST.get("password"))
        if user is not None:
            login(request, user)
            return HttpResponseRedirect(nxt)
    return HttpResponse(
        '<form method="post"><input name="username"><input name="password" type="password">'
        f'<input type="hidden" name="next" value="{escape(nxt)}"><button>Sign in</button></form>'
    )


def me_view(request):
    """The signed-in user, as the 7Geese REST API answers: DRF's 401 and 403 JSON."""
    core = get_oauthlib_core()
    valid, r = core.verify_request(request, scopes=[])
    if not valid:
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    valid, r = core.verify_request(request, scopes=["userprofile:read"])
    if not valid:
        valid, r = core.verify_request(request, scopes=["all"])
    if not valid:
        return JsonResponse({"detail": "You do not have permission to perform this action."},
                            status=403)
    user = r.user
    return JsonResponse({"id": user.id, "email": user.email, "first_name": user.first_name,
                         "last_name": user.last_name, "username": user.username})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", login_view),
    path("api/v/2.0/users/me/", me_view),
]


def seed():
    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    for u in CONFIG["users"]:
        User.objects.create_user(username=u["email"], email=u["email"], password=u["password"],
                                 first_name=u["first_name"], last_name=u["last_name"])
    Application = get_application_model()
    for a in CONFIG["applications"]:
        Application.objects.create(
            name=a["name"],
            client_id=a["client_id"],
            client_secret=a["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=a["grant_type"],
            redirect_uris=" ".join(a.get("redirect_uris", [])),
        )


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main():
    try:
        seed()
        server = make_server("127.0.0.1", 0, get_wsgi_application(),
                             server_class=ThreadingServer, handler_class=QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"listening {server.server_address[1]}", flush=True)
        # Serve until the test closes our stdin (or dies, which closes it too).
        sys.stdin.read()
        server.shutdown()
    finally:
        shutil.rmtree(DATA_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
